#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# groundtruth.sh [--quick] [TARGET...]: build every kernel object and driver
# (build.sh), run the full differential check and real-code audit of each
# target, print a table and write build/groundtruth/report.json.  Exit 1 if
# any target had a mismatch or failed, 3 if an audit difference is untriaged.
#   VALUES (default 2000000 random values per target; --quick: 30000)
#   AUDIT_BITS (exhaustive audit up to this many bits, default 28; --quick: 22)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/targets.sh"
values=${VALUES:-2000000} audit_bits=${AUDIT_BITS:-28} sample=$((1 << 24))
if [[ ${1-} == --quick ]]; then values=30000 audit_bits=22 sample=262144; shift; fi
(($#)) || set -- "${KTRUTH_TARGETS[@]}"
out=$root/build/groundtruth
mkdir -p "$out"
start=$SECONDS
"$here/build.sh" "$@"
echo "groundtruth: built in $((SECONDS - start)) s"

rc=0
for t in "$@"; do
  t0=$SECONDS
  set +e
  "$here/run.sh" "$t" --values "$values" --audit-bits "$audit_bits" --audit-sample "$sample" \
    --json "$out/$t.json" >"$out/$t.log" 2>&1
  r=$?
  set -e
  echo "$((SECONDS - t0))" >"$out/$t.seconds"
  echo "$r" >"$out/$t.rc"
  if ((r != 0)); then
    echo "groundtruth: $t exited $r:" >&2
    grep -E 'MISMATCH|UNTRIAGED|ktruth:' "$out/$t.log" | head -20 >&2 || true
    ((r == 3 && rc == 0)) && rc=3 || rc=1
  fi
done

python3 - "$out" "$@" <<'PY'
import json, os, sys
out, targets = sys.argv[1], sys.argv[2:]
rows, report = [], {"targets": []}
for t in targets:
    info = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "..", "kernel-truth", t, "build-info.txt")))
    rc = int(open(os.path.join(out, t + ".rc")).read())
    secs = int(open(os.path.join(out, t + ".seconds")).read())
    try:
        r = json.load(open(os.path.join(out, t + ".json")))
    except (OSError, ValueError):
        r = {"checks": [], "audit": []}
    entry = {"target": t, "kernel": info.get("kernelrelease", ""), "base_config": info["base"],
             "fragment": info["fragment"], "exit": rc, "seconds": secs, **r}
    report["targets"].append(entry)
    for c in r["checks"] or [{"config": "(no result)", "helpers": [], "values": 0, "mismatches": -1}]:
        rows.append((t, entry["kernel"], c["config"], len(c["helpers"]), c["values"], c["mismatches"]))
    for a in r["audit"]:
        diff = [p["predicate"] + (" (triaged)" if p["verdict"] not in ("agree", "UNTRIAGED") else " UNTRIAGED")
                for p in a["predicates"] if p["differing"]]
        entry.setdefault("audit_summary", []).append(
            "%s %s, %s bits: %s" % (a["config"], "exhaustive" if a["exhaustive"] else "sampled", a["bits"],
                                    "all GUP-fast predicates agree" if not diff else "differ: " + ", ".join(diff)))
tmp = os.path.join(out, "report.json.tmp")
with open(tmp, "w") as f:
    json.dump(report, f, indent=1)
os.replace(tmp, os.path.join(out, "report.json"))
w = "%-17s %-10s %-48s %7s %10s %10s"
print(w % ("arch", "kernel", "config", "helpers", "values", "mismatches"))
for r in rows:
    print(w % r)
print()
for e in report["targets"]:
    for s in e.get("audit_summary", []):
        print("audit %-17s %s" % (e["target"], s))
print("\nreport: %s/report.json" % out)
PY
echo "groundtruth: $(( SECONDS - start )) s in all"
exit $rc
