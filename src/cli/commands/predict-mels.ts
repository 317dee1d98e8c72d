import { existsSync } from 'node:fs';
import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { AcousticSynthesizer } from '../../models/acoustic/synthesizer.js';
import { predictTeacherForcedMels } from '../../models/acoustic/predict-mels.js';

const KNOWN_FLAGS = ['acoustic', 'out', 'o', 'split', 'threads', 'quiet'];

/** `clip-tts predict-mels`: teacher-forced acoustic-model mels, for fine-tuning the vocoder on them. */
export const predictMelsCommand: Command = {
  name: 'predict-mels',
  summary: "Write the acoustic model's teacher-forced mels (frame-aligned with the recordings) for vocoder fine-tuning",
  help: `Usage: clip-tts predict-mels FEATURES_DIR --acoustic RUN|FILE --out DIR [--split all|train|val] [--threads N] [--quiet]

Runs the acoustic model on every utterance of an aligned features folder with the aligner's
durations and the recordings' pitch and energy (teacher forcing), so each predicted mel has exactly
its recording's frames, and writes DIR/ID.npy (float32 [n_mels, frames], as \`clip-tts mel\`).
\`clip-tts train-vocoder FEATURES_DIR --mels-dir DIR\` then fine-tunes the vocoder to turn these mels
into the real audio (HiFi-GAN's "fine-tuning on predicted mels").

Options:
  --acoustic X    a clip-tts train run folder or an exported acoustic .safetensors
  -o, --out DIR   output folder
  --split S       all (default), train or val
  --threads N     engine threads (default 2)
  --quiet         no progress

Example:
  clip-tts predict-mels feat/slt --acoustic runs/am --out runs/gta-mels`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError('expected one FEATURES_DIR');
    const featuresDir = args.positional[0]!;
    if (!existsSync(featuresDir)) throw new UsageError(`${featuresDir}: no such features folder`);
    const acousticPath = requireFlag(args, 'RUN|FILE', 'acoustic');
    const outDir = requireFlag(args, 'DIR', 'out', 'o');
    const split = flagString(args, 'split') ?? 'all';
    if (split !== 'val' && split !== 'train' && split !== 'all') throw new UsageError(`--split must be all, train or val, got ${split}`);
    const quiet = args.flags.has('quiet');
    await initEngine({ threads: flagNumber(args, 'threads') ?? 2 });
    try {
      const am = await AcousticSynthesizer.load(acousticPath);
      const n = await predictTeacherForcedMels(am.model, featuresDir, outDir, {
        split, onProgress: quiet ? undefined : (done, total) => process.stderr.write(`\rpredict-mels: ${done}/${total}`),
      });
      if (!quiet) process.stderr.write('\n');
      console.log(`${n} teacher-forced mels -> ${outDir}`);
      return 0;
    } finally {
      await shutdownEngine();
    }
  },
};
