#!/usr/bin/env bash
# Trains a ClipTTS voice from scratch with the project's own commands: the recipe of the bundled
# voice voices/en-slt (docs/training-a-voice.md explains each step).
#
#   scripts/train-voice.sh [WORK_DIR] [STEP ...]
#
# Steps, in order (default: all): corpus prepare clip aligner align acoustic vocoder gan finetune export
#   corpus    synthetic corpus from the slt teacher (skipped when DATASET points at your own data)
#   prepare   features, phonemes, manifest           clip-tts prepare
#   clip      Speech-Clip pre-training                clip-tts train-clip
#   aligner   learned aligner                         clip-tts train-aligner
#   align     durations into the feature cache        clip-tts align
#   acoustic  acoustic model (text encoder from clip) clip-tts train
#   vocoder   vocoder on ground-truth mels            clip-tts train-vocoder
#   gan       adversarial phase of the vocoder         clip-tts train-vocoder --config configs/vocoder-small-gan.json --init
#   finetune  vocoder on the acoustic model's mels    clip-tts predict-mels + train-vocoder --mels-dir
#             (off by default: FINETUNE_STEPS=0; with the vocoder's mel refinement it measured worse)
#   export    voice folder WORK_DIR/voice             clip-tts export-voice
#
# Every step can be interrupted (even kill -9) and the script re-run: training steps continue from
# their last checkpoint (--resume), finished steps are skipped. To train in the background:
#   nohup scripts/train-voice.sh work/en-slt >> work/en-slt/train.log 2>&1 &
# The voice is written to WORK_DIR/voice, not over voices/en-slt: measure it first (see the doc)
# and copy it there only when it is better than the committed one.
#
# Environment (defaults in brackets):
#   DATASET        an LJSpeech-layout (or Baker/AISHELL-3/LibriTTS/ESD/CSV) folder to train on
#                  instead of the synthetic corpus [WORK_DIR/corpus, made by the corpus step]
#   MAKE_CORPUS    the corpus generator [../shared/corpus/make-corpus beside the repo]
#   COUNT          corpus utterances [6000]
#   VOICE_NAME     [en-slt]      DESCRIPTION, LICENSE: written to voice.json
#   CLIP_STEPS [3000]  ALIGNER_STEPS [3000]  ACOUSTIC_STEPS [5000]  VOCODER_STEPS [20000]  GAN_STEPS [20000]
#   FINETUNE_STEPS [0]  (0 skips that phase; GAN_STEPS=0 skips the adversarial phase)
#   THREADS        engine threads for training [2]
#   CLIP_CONFIG [small]  ALIGNER_CONFIG [default]  ACOUSTIC_CONFIG [configs/acoustic-medium.json]  VOCODER_CONFIG [small]
#   GAN_CONFIG [configs/vocoder-small-gan.json] (a preset name works too: --gan switches the critics on)
#                  model presets or JSON files (see each command's --help); 'tiny' for a smoke test
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-work/en-slt}"
shift || true
STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(corpus prepare clip aligner align acoustic vocoder gan finetune export)

CLI=(node "$REPO/dist/src/cli/main.js")
MAKE_CORPUS="${MAKE_CORPUS:-$REPO/../shared/corpus/make-corpus}"
COUNT="${COUNT:-6000}"
CORPUS="${DATASET:-$WORK/corpus}"
FEATS="$WORK/features"
RUNS="$WORK/runs"
VOICE_NAME="${VOICE_NAME:-en-slt}"
DESCRIPTION="${DESCRIPTION:-US English, female; distilled from the CMU ARCTIC slt HTS voice (festvox-us-slt-hts)}"
LICENSE="${LICENSE:-MIT; training audio from festvox-us-slt-hts (CMU ARCTIC slt: see its copyright file)}"
CLIP_STEPS="${CLIP_STEPS:-3000}"
ALIGNER_STEPS="${ALIGNER_STEPS:-3000}"
ACOUSTIC_STEPS="${ACOUSTIC_STEPS:-5000}"
VOCODER_STEPS="${VOCODER_STEPS:-20000}"
FINETUNE_STEPS="${FINETUNE_STEPS:-0}"
GAN_STEPS="${GAN_STEPS:-20000}"
GAN_CONFIG="${GAN_CONFIG:-$REPO/configs/vocoder-small-gan.json}"
THREADS="${THREADS:-2}"
CLIP_CONFIG="${CLIP_CONFIG:-small}"
ALIGNER_CONFIG="${ALIGNER_CONFIG:-default}"
ACOUSTIC_CONFIG="${ACOUSTIC_CONFIG:-$REPO/configs/acoustic-medium.json}"
VOCODER_CONFIG="${VOCODER_CONFIG:-small}"

mkdir -p "$WORK" "$RUNS"
[ -f "$REPO/dist/src/cli/main.js" ] || (cd "$REPO" && npm run build)

log() { echo "[$(date '+%F %T')] train-voice: $*"; }
want() { local s; for s in "${STEPS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
# --resume when a run already has a checkpoint (a fresh run refuses --out folders holding one).
resume_flag() { [ -f "$1/checkpoint.safetensors" ] && echo --resume || true; }

if want corpus; then
  if [ -n "${DATASET:-}" ]; then
    log "corpus: using DATASET=$DATASET"
  elif [ -f "$CORPUS/corpus-info.json" ]; then
    log "corpus: $CORPUS already built"
  else
    log "corpus: $COUNT utterances of the slt teacher -> $CORPUS"
    "$MAKE_CORPUS" "$CORPUS" --count "$COUNT" --voice slt --seed 1 --alignments
  fi
fi

if want prepare; then
  log "prepare: $CORPUS -> $FEATS (resumes by itself)"
  "${CLI[@]}" prepare "$CORPUS" --out "$FEATS" --quiet
fi

if want clip; then
  log "clip: Speech-Clip pre-training to step $CLIP_STEPS"
  "${CLI[@]}" train-clip "$FEATS" --out "$RUNS/clip" --config "$CLIP_CONFIG" --max-steps "$CLIP_STEPS" --threads "$THREADS" --quiet $(resume_flag "$RUNS/clip")
fi

if want aligner; then
  log "aligner: to step $ALIGNER_STEPS"
  "${CLI[@]}" train-aligner "$FEATS" --out "$RUNS/aligner" --config "$ALIGNER_CONFIG" --max-steps "$ALIGNER_STEPS" --threads "$THREADS" --quiet $(resume_flag "$RUNS/aligner")
fi

if want align; then
  # Durations depend on the aligner checkpoint: redo them when it is newer than the index.
  if [ -f "$FEATS/durations.json" ] && [ "$FEATS/durations.json" -nt "$RUNS/aligner/checkpoint.safetensors" ]; then
    log "align: durations are up to date"
  else
    log "align: durations -> $FEATS/durations"
    "${CLI[@]}" align "$FEATS" --aligner "$RUNS/aligner" --threads "$THREADS"
  fi
fi

if want acoustic; then
  log "acoustic: to step $ACOUSTIC_STEPS (text encoder from Speech-Clip)"
  "${CLI[@]}" train "$FEATS" --out "$RUNS/acoustic" --config "$ACOUSTIC_CONFIG" --init-clip "$RUNS/clip/text-encoder.safetensors" \
    --max-steps "$ACOUSTIC_STEPS" --threads "$THREADS" --quiet $(resume_flag "$RUNS/acoustic")
fi

if want vocoder; then
  log "vocoder: to step $VOCODER_STEPS on ground-truth mels"
  "${CLI[@]}" train-vocoder "$FEATS" --out "$RUNS/vocoder" --config "$VOCODER_CONFIG" --max-steps "$VOCODER_STEPS" --threads "$THREADS" --quiet $(resume_flag "$RUNS/vocoder")
fi

if want gan && [ "$GAN_STEPS" -gt 0 ]; then
  # Adversarial phase from the reconstruction-trained vocoder: its critics restore the harmonic fine
  # structure the L1 losses blur (docs/vocoder.md).
  log "gan: vocoder with discriminators to step $GAN_STEPS"
  init=(); [ -f "$RUNS/vocoder-gan/checkpoint.safetensors" ] || init=(--init "$RUNS/vocoder")
  "${CLI[@]}" train-vocoder "$FEATS" --out "$RUNS/vocoder-gan" --config "$GAN_CONFIG" --gan "${init[@]}" \
    --max-steps "$GAN_STEPS" --threads "$THREADS" --quiet $(resume_flag "$RUNS/vocoder-gan")
fi

VOCODER_FINAL="$RUNS/vocoder"
[ -f "$RUNS/vocoder-gan/checkpoint.safetensors" ] && VOCODER_FINAL="$RUNS/vocoder-gan"
if want finetune && [ "$FINETUNE_STEPS" -gt 0 ]; then
  # The vocoder learns the acoustic model's own (smoother) mels: teacher-forced durations keep them
  # aligned with the recorded audio. After a GAN phase it continues with its config (and critics).
  if [ -f "$WORK/predicted-mels/.done" ] && [ "$WORK/predicted-mels/.done" -nt "$RUNS/acoustic/checkpoint.safetensors" ]; then
    log "finetune: predicted mels are up to date"
  else
    log "finetune: predicted mels -> $WORK/predicted-mels"
    "${CLI[@]}" predict-mels "$FEATS" --acoustic "$RUNS/acoustic" --out "$WORK/predicted-mels"
    touch "$WORK/predicted-mels/.done"
  fi
  log "finetune: vocoder on predicted mels to step $FINETUNE_STEPS (from $VOCODER_FINAL)"
  config=(); [ "$VOCODER_FINAL" = "$RUNS/vocoder-gan" ] && config=(--config "$GAN_CONFIG" --gan)
  init=(); [ -f "$RUNS/vocoder-ft/checkpoint.safetensors" ] || init=(--init "$VOCODER_FINAL")
  "${CLI[@]}" train-vocoder "$FEATS" --out "$RUNS/vocoder-ft" --mels-dir "$WORK/predicted-mels" "${config[@]}" "${init[@]}" \
    --max-steps "$FINETUNE_STEPS" --threads "$THREADS" --quiet $(resume_flag "$RUNS/vocoder-ft")
fi
[ -f "$RUNS/vocoder-ft/checkpoint.safetensors" ] && VOCODER_FINAL="$RUNS/vocoder-ft"

if want export; then
  log "export: $RUNS/acoustic + $VOCODER_FINAL -> $WORK/voice"
  printf '{"recipe": "scripts/train-voice.sh", "corpus": "%s", "count": %s}\n' "$CORPUS" "$COUNT" > "$WORK/provenance.json"
  "${CLI[@]}" export-voice --acoustic "$RUNS/acoustic" --vocoder "$VOCODER_FINAL" --out "$WORK/voice" \
    --name "$VOICE_NAME" --description "$DESCRIPTION" --license "$LICENSE" --training "$WORK/provenance.json"
  log "done: try it with  node $REPO/dist/src/cli/main.js speak \"Hello there.\" -o hello.wav --voice $WORK/voice"
fi
