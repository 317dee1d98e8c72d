import { existsSync } from 'node:fs';
import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, loadConfigArg, requireFlag, flagPositiveInt } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { AcousticConfigError, acousticPreset, isAcousticPreset, parseAcousticConfig, type AcousticConfig, type AcousticPreset } from '../../models/acoustic/config.js';
import { trainAcoustic } from '../../models/acoustic/train.js';

const KNOWN_FLAGS = ['out', 'o', 'config', 'init-clip', 'max-steps', 'schedule-steps', 'resume', 'threads', 'quiet'];

function loadConfig(spec: string | undefined): AcousticConfig {
  return loadConfigArg(spec ?? 'small', { is: isAcousticPreset, get: (n) => acousticPreset(n as AcousticPreset), names: 'tiny | small | base' }, parseAcousticConfig, AcousticConfigError);
}

/** `clip-tts train`: the Clip-TTS acoustic model (Speech-Clip text encoder + variance adaptor + mel decoder). */
export const trainCommand: Command = {
  name: 'train',
  summary: 'Train the acoustic model (text → mel) on prepared, aligned features',
  help: `Usage: clip-tts train FEATURES_DIR --out DIR [--config tiny|small|base|FILE.json] [--init-clip CKPT]
                      [--max-steps N] [--schedule-steps N] [--resume] [--threads N] [--quiet]

Trains the Clip-TTS acoustic model: the Speech-Clip text encoder, a FastSpeech 2 variance adaptor
(duration, phoneme-level pitch and energy), a Transformer mel decoder and a conv postnet, with
speaker / emotion embeddings when the features have them (docs/acoustic-model.md). FEATURES_DIR
comes from \`clip-tts prepare\` followed by \`clip-tts align\` (the aligner's durations drive the
length regulator in training).

Options:
  -o, --out DIR        run folder: checkpoint.safetensors (+ .json config), log.jsonl, loss.png,
                       mel.png (predicted over target mel of a validation utterance)
  --config X           'tiny' (tests), 'small' (default; the bundled voice), 'base' (FastSpeech 2 size)
                       or a JSON file {"preset": "small", "model": {...}, "loss": {...}, "training": {...}}
  --init-clip CKPT     start the text encoder from Speech-Clip: a text-encoder.safetensors or a
                       \`clip-tts train-clip\` run folder (its shape replaces the config's text encoder)
  --max-steps N        stop after N optimizer steps (default: the config's training.totalSteps)
  --schedule-steps N   where the cosine learning-rate schedule ends (default: --max-steps for a new
                       run; a resumed run keeps its saved schedule unless this is given)
  --resume             continue the run in --out exactly where its last checkpoint left it (its
                       saved config is used; --config and --init-clip are ignored)
  --threads N          engine threads (default 2)
  --quiet              no progress bar

Example:
  clip-tts train feat/slt --out runs/am --config small --init-clip runs/clip --max-steps 40000`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['resume', 'quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError('expected one FEATURES_DIR');
    const featuresDir = args.positional[0]!;
    if (!existsSync(featuresDir)) throw new UsageError(`${featuresDir}: no such features folder (make one with clip-tts prepare)`);
    const outDir = requireFlag(args, 'DIR', 'out', 'o');
    const config = loadConfig(flagString(args, 'config'));
    const maxSteps = flagPositiveInt(args, 'max-steps');
    const explicitSchedule = flagPositiveInt(args, 'schedule-steps');
    // A new run's schedule ends at --max-steps unless told otherwise; a resumed run keeps its own
    // unless --schedule-steps is given.
    const scheduleSteps = explicitSchedule ?? (args.flags.has('resume') ? undefined : maxSteps);
    const threads = flagNumber(args, 'threads') ?? 2;
    const initClip = flagString(args, 'init-clip');
    await initEngine({ threads });
    try {
      const started = Date.now();
      const r = await trainAcoustic({ featuresDir, outDir, config, initClip, maxSteps, scheduleSteps, resume: args.flags.has('resume'), quiet: args.flags.has('quiet') });
      const seconds = (Date.now() - started) / 1000;
      console.log(`acoustic: ${r.step} steps (from ${r.resumedFrom}) in ${seconds.toFixed(0)} s, last train loss ${r.lastLoss.toFixed(4)}`);
      if (r.validation) console.log(`validation: ${Object.entries(r.validation).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
      return 0;
    } finally {
      await shutdownEngine();
    }
  },
};
