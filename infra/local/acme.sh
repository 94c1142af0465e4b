# The local set-up's ACME CA (sourced by up.sh): Debian's pebble, a real ACME server, signs the
# proxy's certificates for the dashboard's host and every app's, exactly as Let's Encrypt would in
# production (same code path: HTTP-01 on the proxy's plain port). pebble keeps nothing across a
# restart (its root is new each time), so every start forgets the certificates and the account the
# previous one issued, and the new root is written to $COVE_STATE_DIR/ca.pem for clients to trust.

pebble_dir="$COVE_STATE_DIR/pebble"

# pebble's own HTTPS (the ACME API): a key and certificate made once with openssl.
prepare_local_ca() {
  mkdir -p "$pebble_dir"
  if [ ! -s "$pebble_dir/server.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj '/CN=Cove local ACME server' -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
      -keyout "$pebble_dir/server.key" -out "$pebble_dir/server.pem" 2>/dev/null
  fi
  cat >"$pebble_dir/config.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$COVE_ACME_PORT", "managementListenAddress": "127.0.0.1:$COVE_ACME_MANAGEMENT_PORT",
  "certificate": "$pebble_dir/server.pem", "privateKey": "$pebble_dir/server.key",
  "httpPort": $COVE_PROXY_PORT, "tlsPort": $COVE_PROXY_HTTPS_PORT, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
}

# Before the platform starts: what the previous pebble issued chains to a root nobody trusts now.
forget_local_certificates() {
  psql -q -h 127.0.0.1 -p "$COVE_PG_PORT" -U postgres -d cove \
    -c 'DELETE FROM tls_certificates; DELETE FROM acme_accounts;' >/dev/null
  redis-cli -p "$COVE_REDIS_PORT" DEL "cove:$COVE_INSTANCE:tls:certificates" >/dev/null
}

# After it started: the root that signs this pebble's certificates, for COVE_CA_FILE.
write_local_ca_root() {
  for _ in $(seq 1 60); do
    curl -fsS --cacert "$pebble_dir/server.pem" -o "$COVE_STATE_DIR/ca.pem.new" \
      "https://127.0.0.1:$COVE_ACME_MANAGEMENT_PORT/roots/0" 2>/dev/null && break
    sleep 0.25
  done
  [ -s "$COVE_STATE_DIR/ca.pem.new" ] || { echo "the local ACME CA did not start; see $COVE_STATE_DIR/logs/acme-ca.log" >&2; return 1; }
  mv "$COVE_STATE_DIR/ca.pem.new" "$COVE_STATE_DIR/ca.pem"
}

# Until the proxy serves a certificate for the sample app (the first pass issues within seconds).
wait_for_https() { # host
  for _ in $(seq 1 240); do
    curl -fsS -o /dev/null --cacert "$COVE_STATE_DIR/ca.pem" \
      --resolve "$1:$COVE_PROXY_HTTPS_PORT:127.0.0.1" "https://$1:$COVE_PROXY_HTTPS_PORT/_stcore/health" 2>/dev/null && return 0
    sleep 0.25
  done
  echo "https://$1:$COVE_PROXY_HTTPS_PORT/ did not answer within 60 s; see $COVE_STATE_DIR/logs/builder.log" >&2
  return 1
}
