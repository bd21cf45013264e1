#!/usr/bin/env bash
# Retrain the default adapter on a lent GPU (the `device` tool's machine: no registry, small uploads).
# Here, first: python -m codegen.train.portable_base pack --data DATA --out .dev/base --part-mb 42,
# then .dev/c/ with pylib/gguf (the gguf package), data/train.jsonl.xz, data/valid.jsonl and
# kept_tokens.json; carry .dev/base/part1 in one call and .dev/base/part2 + .dev/c in the next.
# Usage there: bash eval/device/train-gpu.sh EPOCHS LR TOKENS_PER_BATCH [DEVICE]
set -euo pipefail
EPOCHS=${1:-4} LR=${2:-5e-4} TPB=${3:-8192} DEV=${4:-cuda}
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD:$PWD/.dev/c/pylib PYTHONUNBUFFERED=1
python3 -c "import peft, transformers, torch; print('peft', peft.__version__, 'transformers', transformers.__version__, 'torch', torch.__version__, torch.cuda.is_available())"
work=${WORK:-/tmp/gpu-train}; mkdir -p "$work/data" "$work/run"
xz -dc .dev/c/data/train.jsonl.xz > "$work/data/train.jsonl"; cp .dev/c/data/valid.jsonl "$work/data/"
[ -f "$work/base/model.safetensors" ] || python3 -m codegen.train.portable_base unpack --parts .dev/base --out "$work/base"
cp .dev/c/kept_tokens.json "$work/run/"
python3 - "$work" "$EPOCHS" "$LR" "$TPB" "$DEV" <<'PY'
import os, sys, time
from pathlib import Path
from codegen.train.loop import Recipe, train
work, epochs, lr, tpb, dev = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
recipe = Recipe(base=str(work / "base"), epochs=epochs, lr=lr, tokens_per_batch=tpb, eval_every=50, device=dev,
                keep_epochs=True)
t0, budget = time.time(), float(os.environ.get("TRAIN_BUDGET_S", "0"))
def report(step, total, entry):
    if budget and time.time() - t0 > budget:
        raise KeyboardInterrupt  # the loop saves its checkpoint; the epoch snapshots so far come back
    if step % 25 == 0 or step == total or "valid_loss" in entry:
        print(f"{time.time() - t0:7.1f}s", step, total, entry, flush=True)
summary = train(work / "data", work / "run", recipe, progress=report)
print("summary", summary["status"], summary["step"], summary["seconds_this_run"], flush=True)
PY
if [ -f "$work/run/adapter/adapter_model.safetensors" ]; then
  cp "$work/run/adapter/adapter_model.safetensors" "$OUT/final.safetensors"
  cp "$work/run/adapter/adapter_config.json" "$work/run/adapter/training_log.json" "$OUT/"
fi
# at most 8 files come back: the last two epoch snapshots before the end, their losses printed here
for e in $(ls -d "$work"/run/epochs/epoch-* | sort -V | tail -2); do
  n=$(basename "$e"); cp "$e/adapter_model.safetensors" "$OUT/$n.safetensors"; echo "$n $(cat "$e/epoch.json")"
done
ls -la "$OUT"
