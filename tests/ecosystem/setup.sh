#!/usr/bin/env bash
# Installs what tests/ecosystem.rs needs: Node.js and npm (Debian, if missing), Debian's Chromium,
# the npm packages pinned in package-lock.json (Microsoft's SARIF multitool, playwright-core), and a
# Python venv with the OCSF and JSON Schema validators (target/ecosystem/venv).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"

need=()
command -v npm >/dev/null || need+=(nodejs npm)
test -x /usr/bin/chromium || need+=(chromium)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! cmp -s package-lock.json node_modules/.kubeposture-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.kubeposture-lock
fi
# npm may skip the package's postinstall (chmod u+x); do it here.
chmod u+x node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

venv="$root/target/ecosystem/venv"
if [ ! -x "$venv/bin/python" ] || ! cmp -s requirements.txt "$venv/requirements.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  cp requirements.txt "$venv/requirements.txt"
fi
echo "ecosystem validators ready: $("$venv/bin/python" -c 'import jsonschema; print("jsonschema", jsonschema.__version__)' 2>/dev/null), $(node --version), $(/usr/bin/chromium --version 2>/dev/null)"
