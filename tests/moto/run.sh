#!/usr/bin/env bash
# Conformance against moto (a third-party AWS emulator): installs moto[server] in a virtualenv,
# starts moto_server on loopback, builds an estate with boto3, scans it with kubeposture through
# AWS_ENDPOINT_URL and asserts the exact findings (tests/moto/conformance.py).
set -euo pipefail
# Everything it makes (the venv, the server's log, the binary it scans with) lives in cargo's
# target directory: CARGO_TARGET_DIR or build.target-dir when set, as cargo itself resolves it.
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v python3 >/dev/null || { echo "python3 is required for the moto conformance test"; exit 1; }
target="$(cd "$root" && cargo metadata --format-version 1 --no-deps --offline \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
venv="$target/moto-venv"

# A venv that cannot start its server (none yet, a broken install, or one moved with its
# target directory: venvs are not relocatable) is made again.
if ! "$venv/bin/moto_server" --help >/dev/null 2>&1; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tests/moto/requirements.txt"
fi
if [ -n "${KUBEPOSTURE_BIN:-}" ]; then
  bin="$KUBEPOSTURE_BIN"
else
  # Up to date with the checkout (a no-op after `cargo test`), never a stale binary.
  (cd "$root" && cargo build --quiet --locked --bin kubeposture)
  bin="$target/debug/kubeposture"
fi

port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$target/moto-server.log"
# AWS-managed policies (AdministratorAccess, AmazonEKS_CNI_Policy, …) exist only when loaded.
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
up=no
for _ in $(seq 1 100); do
  "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null && { up=yes; break; }
  sleep 0.2
done
if [ "$up" != yes ]; then
  echo "moto_server did not answer on 127.0.0.1:$port within 20 s; its log ($log):" >&2
  tail -n 20 "$log" >&2
  exit 1
fi

"$venv/bin/python" "$root/tests/moto/conformance.py" --endpoint "http://127.0.0.1:$port" --bin "$bin"
