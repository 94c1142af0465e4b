#!/bin/sh
# Runs the app from the repository root (so its own .streamlit/config.toml applies) with the
# options the platform must own given last, on the command line, where they take precedence.
# The proxy sets X-Cove-User-Email on a private app's requests (and drops a client's own), so
# st.user.email names the signed-in viewer there.
set -eu
main_file="${COVE_MAIN_FILE:?COVE_MAIN_FILE is not set}"
cd /app
exec python -m streamlit run "$main_file" \
  --server.port 8501 \
  --server.address 0.0.0.0 \
  --server.headless true \
  --server.baseUrlPath "" \
  --server.fileWatcherType none \
  --server.runOnSave false \
  --browser.gatherUsageStats false \
  --server.trustedUserHeaders '{"X-Cove-User-Email": "email"}' \
  "$@"
