#!/usr/bin/env bash
# The main job, end to end: tetrars with its defaults against the bundled fake
# agent replaying 274 events recorded from a real Tetragon v0.10.0 agent.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
corpus="$here/tests/data/tetragon-v0.10"
tmp=$(mktemp -d)
fake_pid=
cleanup() { [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# The corpus was recorded from a Tetragon v0.10.0 agent: the fake says so
# (GetVersion), and tetrars then removes the fields itself (agent_version.h).
"$build/tetragon-fake" --listen "unix:$tmp/tetragon.sock" --replay "$corpus/all.wire.b64" \
  --agent-version v0.10.0 2>"$tmp/fake.err" &
fake_pid=$!
for _ in $(seq 100); do [ -S "$tmp/tetragon.sock" ] && break; sleep 0.05; done

echo "== tetrars --server-address unix://$tmp/tetragon.sock --once"
execs=$(grep -c process_exec "$corpus/all.tetra.jsonl")
echo "   (the fake agent holds $(wc -l <"$corpus/all.wire.b64") recorded events, $execs of them execs;"
echo "    tetrars asks for execs only, so it receives those $execs and prints the humans' ones;"
echo "    lines are cut at 150 characters here, tetrars prints them whole)"
echo
"$build/tetrars" --server-address "unix://$tmp/tetragon.sock" --once >"$tmp/out.jsonl" 2>"$tmp/err.txt"
head -n 12 "$tmp/out.jsonl" | cut -c1-150
echo "..."
echo
echo "== stderr"
cat "$tmp/err.txt"
echo
total=$(wc -l <"$tmp/out.jsonl")
grep_pipeline=$(grep -c '"auid":[0-9]\{4\}[,}]' "$tmp/out.jsonl" || true)
echo "== $total lines of human users' execs; auids seen:"
python3 - "$tmp/out.jsonl" <<'PY'
import collections, json, sys
auids = collections.Counter(json.loads(line)["process_exec"]["process"]["auid"] for line in open(sys.argv[1]))
for auid, count in sorted(auids.items()):
    print(f"  auid {auid:>10}: {count:3} lines")
PY
echo
echo "The tetra | grep pipeline would have kept $grep_pipeline of these $total lines:"
echo "its pattern '\"auid\":[0-9]\\{4\\}[,}]' misses every auid of 10000 and more."
