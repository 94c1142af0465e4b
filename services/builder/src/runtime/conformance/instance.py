# The app instance the runtime conformance suite runs: a small HTTP server on 8501 that reports what
# the instance sees (its user, an env value, a read-only file, whether it can write its root) and,
# on /grow, allocates memory until the kernel kills it; /hold keeps 40 MB and /spin burns a core
# for half a minute (what the engine's stats should show).
import http.server
import os
import signal
import sys
import threading
import time

LISTEN_PORT = 8501
held_for_stats = []


def hold_memory():
    block = bytearray(40 * 1024 * 1024)
    # Every page written, so it is resident whatever the allocator does with zeroes.
    block[::4096] = b"\x01" * len(range(0, len(block), 4096))
    held_for_stats.append(block)
    return "held"


def spin(seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def start_spinning():
    threading.Thread(target=spin, daemon=True).start()
    return "spinning"


def attempt_root_write():
    try:
        with open("/planted", "w") as planted:
            planted.write("x")
        return "written"
    except OSError as error:
        return error.strerror or str(error)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        answers = {
            "/health": lambda: "ok",
            "/uid": lambda: str(os.getuid()),
            "/env": lambda: os.environ.get("CONFORMANCE_VALUE", ""),
            "/file": lambda: open("/run/conformance/value.txt").read(),
            "/write-root": attempt_root_write,
            "/write-tmp": lambda: str(open("/tmp/scratch", "w").write("x")),
            "/hold": hold_memory,
            "/spin": start_spinning,
        }
        if self.path == "/grow":
            held = []
            while True:
                held.append(bytearray(8 * 1024 * 1024))
        answer = answers.get(self.path)
        body = (answer() if answer else "unknown").encode()
        self.send_response(200 if answer else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        print("request", self.path, flush=True)


# As PID 1 the server would ignore SIGTERM and wait out every stop's timeout.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("conformance instance listening", flush=True)
http.server.ThreadingHTTPServer(("0.0.0.0", LISTEN_PORT), Handler).serve_forever()
