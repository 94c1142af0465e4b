# The platform's own processes under supervision (sourced by up.sh, down.sh and the fault suite).
# Debian's supervisord runs the dashboard, the builder, the proxy and the git server from a config
# written here, and starts each again after a crash: at once when it had been up for a while, with
# a growing pause when it keeps failing at start. Its log ($COVE_STATE_DIR/logs/supervisord.log) says
# each exit and restart; each process logs to $COVE_STATE_DIR/logs/<name>.log.

supervisor_conf="$COVE_STATE_DIR/supervisord.conf"
supervisor_socket="$COVE_STATE_DIR/run/supervisor.sock"
platform_programs=(acme-dns acme-ca git-server builder proxy dashboard)

supervisorctl_local() { supervisorctl -c "$supervisor_conf" "$@"; }

write_supervisor_conf() {
  local program command
  {
    cat <<CONF
[unix_http_server]
file=$supervisor_socket
chmod=0700

[supervisord]
logfile=$COVE_STATE_DIR/logs/supervisord.log
pidfile=$COVE_STATE_DIR/run/supervisord.pid
childlogdir=$COVE_STATE_DIR/logs
directory=$repo_root

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$supervisor_socket
CONF
    for program in "${platform_programs[@]}"; do
      case $program in
        # The local ACME CA (infra/local/acme.sh): pebble, and challtestsrv as its DNS (every name
        # is 127.0.0.1, so it checks HTTP-01 on the proxy's port).
        acme-dns) command="pebble-challtestsrv -management 127.0.0.1:$COVE_ACME_CHALLENGE_MANAGEMENT_PORT -dns01 127.0.0.1:$COVE_ACME_DNS_PORT -http01 '' -https01 '' -tlsalpn01 '' -defaultIPv4 127.0.0.1 -defaultIPv6 ''" ;;
        acme-ca) command="env PEBBLE_VA_NOSLEEP=1 pebble -config $COVE_STATE_DIR/pebble/config.json -dnsserver 127.0.0.1:$COVE_ACME_DNS_PORT" ;;
        git-server) command="node --import tsx infra/local/git-server.ts" ;;
        builder) command="node services/builder/dist/main.js" ;;
        proxy) command="node services/proxy/dist/main.js" ;;
        dashboard) command="node apps/dashboard/dist/server.js" ;;
      esac
      # startsecs: up this long counts as started; a process that dies sooner is tried again after
      # 1 s, 2 s, 3 s, ... (startretries times). The stop signal reaches the whole group.
      cat <<CONF

[program:$program]
command=$command
directory=$repo_root
autorestart=true
startsecs=3
startretries=20
stopsignal=TERM
stopwaitsecs=20
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$COVE_STATE_DIR/logs/$program.log
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=2
CONF
    done
  } >"$supervisor_conf"
}

is_supervisor_running() {
  [ -S "$supervisor_socket" ] && supervisorctl_local pid >/dev/null 2>&1
}

# Starts supervisord with this shell's environment (the platform's configuration) and every program.
start_platform() {
  write_supervisor_conf
  supervisord -c "$supervisor_conf"
  for _ in $(seq 1 40); do is_supervisor_running && return 0; sleep 0.25; done
  echo "supervisord did not start; see $COVE_STATE_DIR/logs/supervisord.log" >&2
  return 1
}

# Stops every program (each drains within stopwaitsecs) and supervisord itself.
stop_platform() {
  stop_unsupervised_processes
  is_supervisor_running || return 0
  local pid; pid=$(supervisorctl_local pid)
  supervisorctl_local shutdown >/dev/null
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  echo "supervisord (pid $pid) did not stop within 50 s" >&2
  return 1
}

# Checkouts from before supervision ran each program with a pid file in $COVE_STATE_DIR/run.
stop_unsupervised_processes() {
  local program pidfile pid
  for program in "${platform_programs[@]}"; do
    pidfile="$COVE_STATE_DIR/run/$program.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

wait_for_url() { # url, description, seconds
  for _ in $(seq 1 $(($3 * 4))); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.25
  done
  echo "$2 did not answer at $1 within $3 s; see $COVE_STATE_DIR/logs/" >&2
  return 1
}
