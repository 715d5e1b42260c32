#!/usr/bin/env bash
# Prowler against kubeposture on the benchmark's EKS estate (issue 10). Not part of CI: it
# installs Prowler from PyPI and runs for minutes.
#
#   bench/prowler/run.sh                      # 200 EKS clusters, 25 ms per answer
#   CLUSTERS=400 LATENCY_MS=50 bench/prowler/run.sh
#
# Generates the estate `kubeposture-bench --shape eks` scans (4 accounts × 2 regions at 200),
# serves it from the standalone mock on loopback (HTTPS with the mock's CA), then runs:
# - kubeposture (release build): the whole organization in one scan (`--aws-organization`),
#   with `--no-data-plane` for the ratio — Prowler's EKS and IAM checks read no cluster's
#   Kubernetes API, so both read the same clouds' APIs — and once more by default (each
#   cluster's Kubernetes API too), for the record;
# - Prowler (pinned, in a venv): its EKS and IAM checks, one process per account assuming the
#   same reader role, all accounts at once (Prowler scans one account per process).
# Both reach the mock only: AWS_ENDPOINT_URL + AWS_CA_BUNDLE (Prowler) and --aws-endpoint-url +
# --ca-cert (kubeposture); a proxy that refuses everything not on loopback catches the rest.
# Prints each tool's wall time, peak RSS and API calls, and the ratios.
set -euo pipefail
PROWLER_VERSION=5.46.0
CLUSTERS="${CLUSTERS:-200}"
LATENCY_MS="${LATENCY_MS:-25}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/prowler"
command -v python3 >/dev/null || { echo "python3 (with venv) is required"; exit 1; }
target="$(cd "$root" && cargo metadata --format-version 1 --no-deps --offline \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
work="$target/prowler-bench"
rm -rf "$work" && mkdir -p "$work/home" "$work/kubeposture" "$work/prowler"
: >"$work/home/none"  # no AWS config or credentials file but the environment's

venv="$target/prowler-venv"
if ! "$venv/bin/pip" show prowler 2>/dev/null | grep -qx "Version: $PROWLER_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "prowler==$PROWLER_VERSION"
fi
(cd "$root" && cargo build --release --locked --quiet -p kubeposture -p kubeposture-mocks -p kubeposture-bench)
bin="$target/release"

"$bin/kubeposture-bench" --clusters "$CLUSTERS" --shape eks --write-estate "$work/estate.json" >/dev/null
# Accounts, regions, the scanner's keys and the reader role, from the estate.
eval "$(python3 - "$work/estate.json" <<'PY'
import json, shlex, sys
aws = json.load(open(sys.argv[1]))["aws"]
login = next(a for a in aws["accounts"] if a.get("credentials"))["credentials"][0]
role = aws["accounts"][0]["assumableRoles"][0]["arn"].split(":role/", 1)[1]
print(f"accounts={shlex.quote(' '.join(a['accountId'] for a in aws['accounts']))}")
print(f"regions={shlex.quote(' '.join(aws['accounts'][0]['regions']))}")
print(f"key_id={shlex.quote(login['accessKeyId'])} secret={shlex.quote(login['secretAccessKey'])}")
print(f"role={shlex.quote(role)}")
PY
)"

"$bin/kubeposture-mock" --estate "$work/estate.json" --ca-out "$work/ca.pem" \
  --latency-ms "$LATENCY_MS" >"$work/mock.log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do grep -q "listening on" "$work/mock.log" && break; sleep 0.1; done
url="$(sed -n 's/^mock cloud listening on \([^ ]*\).*/\1/p' "$work/mock.log")"
[ -n "$url" ] || { cat "$work/mock.log"; exit 1; }

# The mock's call counters, summed over operations.
calls() {
  python3 - "$url" "$work/ca.pem" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
c = json.load(urllib.request.urlopen(sys.argv[1] + "/_mock/counters", context=ctx))
print(sum(v for k, v in c.items() if "@" not in k and not k.endswith((":throttled", ":fault"))))
PY
}

common_env=(env -i "PATH=$PATH" "HOME=$work/home" "AWS_ACCESS_KEY_ID=$key_id" "AWS_SECRET_ACCESS_KEY=$secret"
  AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
  "AWS_CONFIG_FILE=$work/home/none" "AWS_SHARED_CREDENTIALS_FILE=$work/home/none"
  HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost)

kubeposture() {
  python3 "$here/measure.py" "$work/kubeposture" -- "${common_env[@]}" "$bin/kubeposture" scan --quiet \
    --cloud aws --format json --output-dir "$work/kubeposture" --ca-cert "$work/ca.pem" \
    --aws-endpoint-url "$url" --aws-organization "$role" "$@"
}
before="$(calls)"
kp_full="$(kubeposture)"
kp_full_calls=$(( $(calls) - before ))
before="$(calls)"
kp="$(kubeposture --no-data-plane)"
kp_calls=$(( $(calls) - before ))

prowler_cmds=()
for a in $accounts; do
  [ ${#prowler_cmds[@]} -eq 0 ] || prowler_cmds+=(---)
  # shellcheck disable=SC2086 # one word per region
  prowler_cmds+=("${common_env[@]}" "AWS_ENDPOINT_URL=$url" "AWS_CA_BUNDLE=$work/ca.pem"
    "$venv/bin/prowler" aws --role "arn:aws:iam::$a:role/$role" --services eks iam --region $regions
    --output-formats csv --output-directory "$work/prowler/$a" --no-banner --ignore-exit-code-3)
done
before="$(calls)"
pr="$(python3 "$here/measure.py" "$work/prowler" -- "${prowler_cmds[@]}")"
pr_calls=$(( $(calls) - before ))

python3 - "$kp" "$pr" "$kp_calls" "$pr_calls" "$work" "$CLUSTERS" "$LATENCY_MS" "$PROWLER_VERSION" "$kp_full" "$kp_full_calls" <<'PY'
import csv, glob, json, sys
kp, pr = json.loads(sys.argv[1]), json.loads(sys.argv[2])
kp_calls, pr_calls, work, clusters, latency, version = sys.argv[3:9]
kp_full, kp_full_calls = json.loads(sys.argv[9]), sys.argv[10]
findings = len(json.load(open(f"{work}/kubeposture/kubeposture.json"))["findings"])
rows = sum(len(list(csv.reader(open(f, newline=""), delimiter=";"))) - 1 for f in glob.glob(f"{work}/prowler/*/*.csv"))
mib = lambda kib: kib / 1024
pr_rss = sum(pr["rss_kib"])
print(f"prowler comparison: {clusters} EKS clusters, mock latency {latency} ms, Prowler {version}")
print(f"  kubeposture  wall {kp['wall_s']:7.1f} s   peak RSS {mib(kp['rss_kib'][0]):6.0f} MiB"
      f"   {kp_calls} calls   {findings} findings   exit {kp['exit_codes'][0]}   (--no-data-plane)")
print(f"  prowler      wall {pr['wall_s']:7.1f} s   peak RSS {mib(pr_rss):6.0f} MiB"
      f" ({len(pr['rss_kib'])} processes: {', '.join(f'{mib(r):.0f}' for r in pr['rss_kib'])})"
      f"   {pr_calls} calls   {rows} findings   exit {pr['exit_codes']}")
print(f"  ratio        wall {pr['wall_s'] / kp['wall_s']:.1f}x   peak RSS {pr_rss / kp['rss_kib'][0]:.1f}x")
print(f"  kubeposture with its data plane (each cluster's Kubernetes API too): wall {kp_full['wall_s']:.1f} s,"
      f" peak RSS {mib(kp_full['rss_kib'][0]):.0f} MiB, {kp_full_calls} calls"
      f" ({pr['wall_s'] / kp_full['wall_s']:.1f}x faster than Prowler all the same)")
PY
echo "  load        $(uptime)"
echo "  logs        $work"
