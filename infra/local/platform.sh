# Starting and stopping the platform's own processes (sourced by up.sh and down.sh).
# Each runs in the background with its pid in $COVE_STATE_DIR/run and its log in $COVE_STATE_DIR/logs.

start_process() { # name, command...
  local name=$1; shift
  local pidfile="$COVE_STATE_DIR/run/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  nohup "$@" >>"$COVE_STATE_DIR/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
}

stop_process() { # name
  local pidfile="$COVE_STATE_DIR/run/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

wait_for_url() { # url, description, seconds
  for _ in $(seq 1 $(($3 * 4))); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.25
  done
  echo "$2 did not answer at $1 within $3 s; see $COVE_STATE_DIR/logs/" >&2
  return 1
}
