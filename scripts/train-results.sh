#!/usr/bin/env bash
# Every training run and post-training evaluation behind docs/results.md, for one data set.
# Idempotent: a finished step (its result file exists) is skipped, an interrupted run resumes
# from its checkpoint. Usage: scripts/train-results.sh cifar10|fashion-mnist [RUNS_DIR]
# Environment: THREADS (libtorch threads, default 2), WINOQ_TRAIN / WINOQ (the binaries),
# QAT_EPOCHS / FP32_EPOCHS / LONG_QAT_EPOCHS (override the epoch counts below), START (CIFAR-10: "pretrained",
# the default, fine-tunes ../shared's pretrained ResNet-20, which has seen data_batch_5;
# "scratch" trains the FP32 parent from random weights on data_batch_1..4 only, so that
# data_batch_5 is unseen by every model of the chain; default RUNS_DIR runs/cifar10-scratch).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:?usage: train-results.sh cifar10|fashion-mnist [RUNS_DIR]}
START=${START:-pretrained}
case "$START" in
  pretrained) RUNS=${2:-runs/$DATA} ;;
  scratch) RUNS=${2:-runs/$DATA-scratch} ;;
  *) echo "train-results: START must be pretrained or scratch, not '$START'"; exit 2 ;;
esac
B=${WINOQ_TRAIN:-build/bin/winoq-train}
W=${WINOQ:-build/bin/winoq}
T=${THREADS:-2}
mkdir -p "$RUNS"
FP32_RESTART=()  # set by START=scratch only

case "$DATA" in
  cifar10)
    bash scripts/expand-cifar.sh build/cifar
    [ -f build/cifar/data_batch_5.bin ] || { echo "train-results: CIFAR-10 needs ../shared"; exit 1; }
    D=(--data cifar10 --cifar-dir build/cifar)
    EVAL_DATA=(--cifar build/cifar/data_batch_5.bin)
    if [ "$START" = scratch ]; then
      # (a) FP32 from random weights on data_batch_1..4 (--cifar-dir trains on those, validates on 5):
      # a cosine cycle, then a second (warm restart, lr 0.05) from its end. One 40-epoch cycle
      # reached 86.49 %; the restart is the rest of the recipe's budget (FP32_RESTART_EPOCHS=0: none).
      FP32=(--batchnorm --lr 0.1 --epochs "${FP32_EPOCHS:-40}")
      FP32_RESTART=(--batchnorm --lr 0.05 --epochs "${FP32_RESTART_EPOCHS:-50}")
    else
      # (a) fine-tune the pretrained FP32 ResNet-20 on cifar10-jpeg (BatchNorm kept while float)
      FP32=(--from ../shared/models/resnet20_cifar10_fp32.safetensors --batchnorm --lr 0.01
            --epochs "${FP32_EPOCHS:-4}")
    fi
    ;;
  fashion-mnist)
    D=(--data fashion-mnist)
    EVAL_DATA=(--fashion-mnist /usr/share/datasets/fashion-mnist)
    # (a) no pretrained model: train FP32 from scratch
    FP32=(--batchnorm --lr 0.1 --epochs "${FP32_EPOCHS:-10}")
    ;;
  *) echo "train-results: unknown data set '$DATA'"; exit 2 ;;
esac
QE=${QAT_EPOCHS:-1}

train() {  # train NAME ARGS...: run folder RUNS/NAME, resumed when interrupted
  local name=$1; shift
  if [ -f "$RUNS/$name/result.json" ]; then echo "== $name: done"; return; fi
  while pgrep -f -- "--out $RUNS/$name " > /dev/null; do  # another process trains into it
    echo "== $name: waiting for the run already writing $RUNS/$name"; sleep 30
  done
  if [ -f "$RUNS/$name/result.json" ]; then echo "== $name: done"; return; fi
  local resume=()
  [ -f "$RUNS/$name/checkpoint.pt" ] && resume=(--resume)
  echo "== $name: $B train ${D[*]} $* --out $RUNS/$name --threads $T ${resume[*]}"
  "$B" train "${D[@]}" "$@" --out "$RUNS/$name" --threads "$T" --no-progress "${resume[@]}"
}
ptq() {  # ptq NAME ARGS...: post-training quantization into the checkpoint RUNS/NAME/checkpoint.pt
  local name=$1; shift
  if [ -f "$RUNS/$name/checkpoint.pt" ]; then echo "== $name: done"; return; fi
  echo "== $name: $B calibrate ${D[*]} $*"
  mkdir -p "$RUNS/$name"
  "$B" calibrate "${D[@]}" "$@" --threads "$T" --no-eval --out "$RUNS/$name/checkpoint.pt.tmp"
  mv "$RUNS/$name/checkpoint.pt.tmp" "$RUNS/$name/checkpoint.pt"
}
evaluate() {  # evaluate NAME: top-1 of RUNS/NAME/checkpoint.pt into RUNS/NAME/eval.json
  # int8 models: exported, then evaluated by the runner on the Halide kernels (its logits
  # equal the trainer's integer mode bit for bit, tests/trainer/export_test.cpp), 10x faster
  # than `winoq-train eval`; the FP32 model: `winoq-train eval` in float.
  local name=$1 dir=$RUNS/$1
  if [ -f "$dir/eval.json" ]; then echo "== eval $name: done"; return; fi
  if [ "$name" = fp32 ] || [ "$name" = fp32-restart ]; then
    echo "== eval $name: $B eval ${D[*]} --checkpoint $dir/checkpoint.pt --json"
    "$B" eval "${D[@]}" --checkpoint "$dir/checkpoint.pt" --threads "$T" --json > "$dir/eval.json.tmp"
  else
    echo "== eval $name: $B export --checkpoint $dir/checkpoint.pt --out $dir/model.safetensors; $W eval --json"
    "$B" export "${D[@]}" --checkpoint "$dir/checkpoint.pt" --out "$dir/model.safetensors" > /dev/null
    "$W" eval --model "$dir/model.safetensors" "${EVAL_DATA[@]}" --json > "$dir/eval.json.tmp"
  fi
  mv "$dir/eval.json.tmp" "$dir/eval.json"
}

train fp32 "${FP32[@]}"
# Every row reports the last epoch's model (checkpoint.pt), never one picked on the validation split.
BASE=$RUNS/fp32/checkpoint.pt
if [ "${#FP32_RESTART[@]}" -gt 0 ] && [ "${FP32_RESTART_EPOCHS:-50}" != 0 ]; then
  train fp32-restart --from "$BASE" "${FP32_RESTART[@]}"
  BASE=$RUNS/fp32-restart/checkpoint.pt
fi
# (c) post-training int8, max-based clipping (per tensor): the instability of real F(4,3)
for v in f23 f43 cf43; do ptq "ptq-max-$v" --from "$BASE" --variant "$v" --calib-method max; done
# (d) post-training int8, MSE-calibrated clipping per tap, no training
for v in direct f23 f43 cf43 cf43m4; do ptq "ptq-mse-$v" --from "$BASE" --variant "$v" --calib-method mse --per-tap; done
# (b), (e) quantization-aware training with learned clipping factors (BatchNorm folded),
# starting from the MSE calibration. The folded network needs a small learning rate (1e-3
# diverges within 100 steps) and the clipping factors a 100x smaller one still (f43's
# diverge even at 3e-5 otherwise); both measured with --max-steps 100 probes.
QAT=(--per-tap --lr 1e-4 --alpha-lr-mult 0.01)
KD=(--teacher "$BASE" --distill-weight 0.5 --distill-temperature 4)
for v in cf43 direct; do train "qat-$v" --from "$BASE" --variant "$v" "${QAT[@]}" --epochs "$QE"; done
if [ "$DATA" = cifar10 ]; then
  # Each lever alone on cf43 (one epoch, as qat-cf43): per-channel U scales, distillation
  # from the FP32 parent (first: they rank the levers); the longer runs come after the others.
  train "qat-cf43-pcu" --from "$BASE" --variant cf43 "${QAT[@]}" --per-channel-u --epochs "$QE"
  train "qat-cf43-kd" --from "$BASE" --variant cf43 "${QAT[@]}" "${KD[@]}" --epochs "$QE"
fi
for v in f43 f23 cf43m4; do train "qat-$v" --from "$BASE" --variant "$v" "${QAT[@]}" --epochs "$QE"; done
if [ "$DATA" = cifar10 ]; then
  # cf43, the method's variant, also with three epochs of QAT (one epoch misses the 0.3-point
  # goal on the pretrained start; Fashion-MNIST meets it with one); then all levers with
  # longer QAT, and real F(4,3) (the stretch).
  train "qat3-cf43" --from "$BASE" --variant cf43 "${QAT[@]}" --epochs 3
  LE=${LONG_QAT_EPOCHS:-6}
  train "qat$LE-cf43-pcu-kd" --from "$BASE" --variant cf43 "${QAT[@]}" --per-channel-u "${KD[@]}" --epochs "$LE"
  train "qat$LE-direct-kd" --from "$BASE" --variant direct "${QAT[@]}" "${KD[@]}" --epochs "$LE"
  train "qat$LE-f43-pcu-kd" --from "$BASE" --variant f43 "${QAT[@]}" --per-channel-u "${KD[@]}" --epochs "$LE"
fi
# The reported numbers: every model evaluated on the validation split with the final code.
evaluate fp32
if [ -d "$RUNS/fp32-restart" ]; then evaluate fp32-restart; fi
for r in ptq-max-f23 ptq-max-f43 ptq-max-cf43 ptq-mse-direct ptq-mse-f23 ptq-mse-f43 ptq-mse-cf43 ptq-mse-cf43m4 \
         qat-direct qat-f23 qat-f43 qat-cf43 qat-cf43m4 qat3-cf43 qat-cf43-pcu qat-cf43-kd \
         "qat${LONG_QAT_EPOCHS:-6}-cf43-pcu-kd" "qat${LONG_QAT_EPOCHS:-6}-direct-kd" "qat${LONG_QAT_EPOCHS:-6}-f43-pcu-kd"; do
  if [ -d "$RUNS/$r" ]; then evaluate "$r"; fi
done
echo "== all done: $RUNS"
