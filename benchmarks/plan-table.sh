#!/usr/bin/env bash
# Plans every bundled instance with each engine and prints a Markdown table of objective,
# bound, gap, seconds and peak memory, the patient deputies' time to proven optimality,
# each plan checked by `rinban score` and, where Python's `holidays` is installed, by the
# independent checker ../shared/tools/rinban_check.py.
#   benchmarks/plan-table.sh [TIME_LIMIT_SECONDS] [INSTANCE...]
# ENGINES="greedy auto" limits the engines (default: greedy glpk lns auto).
# Uses the release build (built if missing). Output goes to stdout; plans to a temp folder.
# Exits 1 if a run crashed, wrote no plan, or wrote a plan that `rinban score` or the
# independent checker rejects.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /opt/swift/usr/bin ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
limit=${1:-60}
shift || true
instances=("$@")
if [ ${#instances[@]} -eq 0 ]; then instances=(../shared/examples/tiny.json instances/*.json); fi
swift build -c release --product rinban >/dev/null
bin=.build/release/rinban
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
checker=../shared/tools/rinban_check.py
if [ -f "$checker" ] && python3 -c "import holidays" 2>/dev/null; then check=yes; else check=no; fi
echo "| instance | engine | objective | bound | gap | status | seconds | deputies | peak RSS | score |"
echo "|---|---|---:|---:|---:|---|---:|---|---:|---|"
for instance in "${instances[@]}"; do
    name=$(basename "$instance" .json)
    for engine in ${ENGINES:-greedy glpk lns auto}; do
        plan="$out/$name-$engine.json"
        status=0
        /usr/bin/time -f '%M' -o "$out/rss" "$bin" plan "$instance" -o "$plan" --engine "$engine" \
            --time-limit "$limit" 2>"$out/progress" || status=$?
        if [ "$status" -ne 0 ] && [ "$status" -ne 3 ] || [ ! -s "$plan" ]; then
            echo "| $name | $engine | failed (status $status) | | | | | | | |"
            failures=$((failures + 1))
            continue
        fi
        verdict=$("$bin" score "$instance" "$plan" | tail -n 1)
        case "$verdict" in
            "plan is feasible; objective"*"matches the plan") ok=ok ;;
            *) ok="FAILED: $verdict"; failures=$((failures + 1)) ;;
        esac
        if [ "$check" = yes ]; then
            if python3 "$checker" "$instance" "$plan" >"$out/check" 2>&1; then
                ok="$ok, checker ok"
            else
                ok="$ok, CHECKER FAILED: $(grep -m 1 -E '^  ' "$out/check" | sed 's/|/\\|/g')"
                failures=$((failures + 1))
            fi
        fi
        # The deputies' progress line: "   0.0 s  deputies  objective … bound …  optimal in 0.012 s".
        deputies=$(awk '/ deputies /{ printf "%s %s s", $(NF-3), $(NF-1) }' "$out/progress")
        python3 - "$plan" "$name" "$engine" "$(tail -n 1 "$out/rss")" "$ok" "${deputies:-–}" <<'PY'
import json, sys
plan, name, engine, rss, ok, deputies = sys.argv[1:]
p = json.load(open(plan))
s = p["solver"]; total = p["objective"]["total"]
fmt = lambda v: "–" if v is None else f"{v:.2f}"
gap = "–" if s.get("gap") is None else f"{100 * s['gap']:.1f}%"
print(f"| {name} | {engine} | {total:.2f} | {fmt(s.get('bound'))} | {gap} | {s['status']} | {s['seconds']:.1f} | {deputies} | {int(rss) // 1024} MB | {ok} |")
PY
    done
done
if [ "$failures" -ne 0 ]; then
    echo "$failures run(s) failed" >&2
    exit 1
fi
