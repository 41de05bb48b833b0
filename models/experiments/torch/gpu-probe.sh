#!/usr/bin/env bash
# Session 8's image probes on a GPU (#9): a bigger CNN trained for many epochs, to see whether reading
# traced MNIST digits passes the ceiling the CPU probes hit (docs/recognition.md, "Where the ceiling is").
#
# Here (once):  npx tsx models/experiments/export-probe-data.ts && bash models/experiments/torch/gpu-probe.sh pack
#               (writes .probe-data/, about 35 MB, git-ignored)
# On the device machine, one call:  run(command="bash models/experiments/torch/gpu-probe.sh run",
#                                       carry=[".probe-data"], timeout_s=540)
# EPOCHS (default 60) and ARCHS (default "mid wide") change the run. The probabilities of the tuning
# digits come back in $OUT; read them here with fuse.py --data DIR.
set -euo pipefail
DATA=${DATA:-/tmp/inkboard-probe}
here=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3} # here: PYTHON=/usr/bin/python3 (Debian's, with python3-torch)
case "${1:-}" in
pack)
  mkdir -p .probe-data
  for f in strokes-train.u8 pen-train.u8 mnist-train.u8; do gzip -6 -c "$DATA/$f" >".probe-data/$f.gz"; done
  cp "$DATA"/strokes-train.labels "$DATA"/pen-train.labels "$DATA"/mnist-train.labels \
    "$DATA"/strokes-val.u8 "$DATA"/strokes-val.labels "$DATA"/img-val.f32 "$DATA"/path-val.f32 \
    "$DATA"/traj-val.labels .probe-data/
  du -sh .probe-data
  ;;
run)
  mkdir -p "$DATA"
  for f in .probe-data/*; do
    case "$f" in
    *.gz) gunzip -c "$f" >"$DATA/$(basename "$f" .gz)" ;;
    *) cp "$f" "$DATA/" ;;
    esac
  done
  device=cpu
  if "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then device=cuda; fi
  out=${OUT:-$DATA/out}
  mkdir -p "$out"
  probes=()
  for arch in ${ARCHS:-mid wide}; do
    "$PY" "$here/probe_image.py" "$arch" "${EPOCHS:-60}" --data "$DATA" --device "$device" --threads 8 |
      tee "$out/probe-$arch.log"
    cp "$DATA/probe-$arch-best.f32" "$DATA/probe-$arch-last.f32" "$out/"
    probes+=("probe-$arch-last.f32")
  done
  "$PY" "$here/fuse.py" --data "$DATA" --grid "${probes[@]}" | tee "$out/fuse.log"
  ;;
*)
  echo "usage: gpu-probe.sh pack|run" >&2
  exit 2
  ;;
esac
