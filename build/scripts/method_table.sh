#!/usr/bin/env bash
# The closing-note table of a set of methods: each trained on the Fashion-MNIST sample (3 epochs,
# width 0.5, seed 1 unless overridden), then its kNN top-1 (the last epoch's), its linear probe
# top-1 (`pretext eval probe`, full labels) and its train seconds, one Markdown row per method,
# with the load average before and after each run (the machine is shared: read seconds with it).
#
#   build/scripts/method_table.sh WORKSPACE METHOD[:BACKBONE] ...
#   e.g. build/scripts/method_table.sh /tmp/table random simclr rotation mae:vit-mini random:vit-mini
# Environment: EPOCHS (3), WIDTH (0.5), SEED (1), EXTRA (more `pretext train` options).
set -euo pipefail
ws=${1:?usage: method_table.sh WORKSPACE METHOD[:BACKBONE] ...}
shift
cd "$(dirname "$0")/../.."
px() { npx pretext --workspace "$ws" --json "$@" 2>>"$ws/table.log"; }
mkdir -p "$ws"
if ! px datasets list | grep -q fashion-mnist-sample; then px import --sample fashion-mnist >/dev/null; fi
echo "| method | backbone | kNN top-1 | probe top-1 | random-init probe | train s | load before → after |"
echo "|---|---|---|---|---|---|---|"
for spec in "$@"; do
  method=${spec%%:*}
  backbone=small
  [[ $spec == *:* ]] && backbone=${spec#*:}
  before=$(cut -d' ' -f1 /proc/loadavg)
  # shellcheck disable=SC2086
  run=$(px train --dataset fashion-mnist-sample --method "$method" --backbone "$backbone" --epochs "${EPOCHS:-3}" --width "${WIDTH:-0.5}" --seed "${SEED:-1}" ${EXTRA:-} |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print((d["runs"][0] if "runs" in d else d)["id"])')
  after=$(cut -d' ' -f1 /proc/loadavg)
  px runs show "$run" >"$ws/$run.show.json"
  px eval probe "$run" >"$ws/$run.probe.json"
  python3 - "$ws/$run.show.json" "$ws/$run.probe.json" "$method" "$backbone" "$before" "$after" <<'PY'
import json, sys
show, probe = (json.load(open(p)) for p in sys.argv[1:3])
method, backbone, before, after = sys.argv[3:7]
knn = show["epochs"][-1]["knn_top1"] if show["epochs"] else float("nan")
rows = {r["role"]: r["evaluation"]["result"]["top1"] for r in probe["rows"] if r.get("evaluation")}
pct = lambda v: f"{100 * v:.2f} %" if v == v else "–"
print(f"| {method} ({show['id']}) | {backbone} | {pct(knn)} | {pct(rows.get('run', float('nan')))} | {pct(rows.get('random-init', float('nan')))} | {show['trainSeconds']:.1f} | {before} → {after} |")
PY
done
