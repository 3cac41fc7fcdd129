#!/usr/bin/env bash
# The one prepared GPU check of ssl-core (issue #3): the engine vs the tuned plain-PyTorch reference.
#
# For the lead, before the device call (the device has no /work/shared):
#   cd /work/main && mkdir -p .gpu && cp /work/shared/bench/reference_workloads.py .gpu/
# Then, with the device tool (.gpu/ is git-ignored, so carry it):
#   run(command="bash bench/gpu_check.sh", carry=[".gpu"], timeout_s=540)
# Needs on the device: torch (2.11 there), numpy, PyYAML, pluggy, click, torchvision (the
# reference's ResNet-18). ssl-core is imported from this tree (PYTHONPATH), not installed.
#
# Plan (about 4-5 minutes on an H100; hard stop at 7.5 minutes so the call stays under 8):
#   bf16 (autocast, channels_last for the CNN, fused AdamW): simclr, mae, speech   (reference + ssl-core)
#   bf16 + torch.compile: speech, mae                                               (reference + ssl-core)
#   SimCLR + compile (about 2 min of compile per side on an H100) only with FULL=1.
# SMOKE=1 runs the tiny CPU path instead (plumbing check without a GPU).
# Output: $OUT/gpu_workloads.json (rows written after every pair), $OUT/gpu_workloads.log, and a
# final table (text + markdown) on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
PY="${PYTHON:-$(command -v python || command -v python3)}"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PY" -c "import sys, torch; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda)"
if [ "${SMOKE:-0}" = "1" ]; then  # plumbing check on a CPU-only machine: tiny sizes, no reference
  exec "$PY" bench/gpu_workloads.py --smoke --json "$OUT/gpu_workloads.json"
fi
"$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device: use SMOKE=1 for a CPU check')"
if [ ! -f .gpu/reference_workloads.py ]; then
  echo "missing .gpu/reference_workloads.py: cp /work/shared/bench/reference_workloads.py .gpu/ (and carry .gpu)" >&2
  exit 2
fi

PLAN="bf16:simclr,mae,speech;bf16_compile:speech,mae"
if [ "${FULL:-0}" = "1" ]; then PLAN="$PLAN,simclr"; fi

rc=0
timeout 450 "$PY" bench/gpu_workloads.py \
  --reference .gpu/reference_workloads.py \
  --plan "$PLAN" \
  --budget-s 300 \
  --json "$OUT/gpu_workloads.json" 2>&1 | tee "$OUT/gpu_workloads.log" || rc=$?
echo "gpu_workloads exit code: $rc; results in $OUT/gpu_workloads.json"
exit "$rc"
