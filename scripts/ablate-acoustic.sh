#!/usr/bin/env bash
# Speech-Clip ablation (issue 7, the paper's central claim): the same acoustic config trained for the
# same number of steps from a Speech-Clip text encoder and from a random one; then validation mel L1
# (teacher-forced) and MCD against the teacher's recordings through the same vocoder.
#
#   scripts/ablate-acoustic.sh FEATURES_DIR CLIP_RUN VOCODER_RUN CORPUS_WAVS OUT_DIR [STEPS] [THREADS]
#
# FEATURES_DIR: prepared + aligned features; CLIP_RUN: a train-clip run (its text-encoder.safetensors);
# VOCODER_RUN: a train-vocoder run; CORPUS_WAVS: the corpus wavs/ folder (MCD reference).
# Every step resumes: re-running after an interruption continues where it stopped.
set -euo pipefail
FEAT=$1 CLIP=$2 VOCODER=$3 WAVS=$4 OUT=$5 STEPS=${6:-600} THREADS=${7:-2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
CLI=(node "$HERE/dist/src/cli/main.js")
MCD=${MCD:-$HERE/../shared/eval/mcd}
mkdir -p "$OUT"
# Same preset, warm-up scaled to the short run, the cosine schedule ending at STEPS.
cat > "$OUT/config.json" <<JSON
{ "preset": "small", "training": { "warmupSteps": $(( STEPS / 6 )), "validateEvery": $(( STEPS / 2 )), "checkpointEvery": 100 } }
JSON
for arm in clip random; do
  init=(); [ "$arm" = clip ] && init=(--init-clip "$CLIP")
  if [ ! -f "$OUT/$arm/done" ]; then
    "${CLI[@]}" train "$FEAT" --out "$OUT/$arm" --config "$OUT/config.json" "${init[@]}" --max-steps "$STEPS" --threads "$THREADS" --resume --quiet
    touch "$OUT/$arm/done"
  fi
  "${CLI[@]}" eval-acoustic "$FEAT" --acoustic "$OUT/$arm" --vocoder "$VOCODER" --out "$OUT/$arm-wavs" --json "$OUT/$arm-eval.json" --threads "$THREADS" --quiet | tee "$OUT/$arm-eval.txt"
  "$MCD" "$WAVS" "$OUT/$arm-wavs" --quiet | tail -1 | tee "$OUT/$arm-mcd.txt"
done
echo "== ablation ($STEPS steps) =="
for arm in clip random; do echo "$arm: $(head -1 "$OUT/$arm-eval.txt") | $(cat "$OUT/$arm-mcd.txt")"; done
