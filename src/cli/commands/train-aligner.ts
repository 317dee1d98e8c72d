import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag, flagPositiveInt } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { trainAligner } from '../../models/aligner/train.js';

const KNOWN_FLAGS = ['out', 'o', 'config', 'max-steps', 'resume', 'quiet', 'threads'];

/** `clip-tts train-aligner`: learns text↔mel alignment (RAD-TTS aligner) on a features folder. */
export const trainAlignerCommand: Command = {
  name: 'train-aligner',
  summary: 'Train the alignment model (forward-sum + binarization, RAD-TTS style) on prepared features',
  help: `Usage: clip-tts train-aligner FEATURES_DIR --out DIR [--config tiny|default|FILE.json] [--max-steps N] [--resume]

Trains the aligner (text and mel conv encoders, L2 attention with a beta-binomial prior, forward-sum
loss, binarization loss later in training) on the train split of a folder made by \`clip-tts prepare\`.
Writes DIR/checkpoint.safetensors (+ checkpoint.json config), log.jsonl, loss.png and alignment.png
(the first validation item). A killed run continues exactly with --resume.

Arguments:
  FEATURES_DIR          folder made by clip-tts prepare

Options:
  --out, -o DIR         run folder (created)
  --config NAME|FILE    preset "default" (default) or "tiny", or a JSON file
                        {"preset": "default", "model": {...}, "train": {...}} overriding preset fields
  --max-steps N         optimizer steps (default: the config's, 3000 for "default")
  --resume              continue the run in DIR
  --threads N           engine worker threads (default: all cores)
  --quiet               no progress bar

Example:
  clip-tts train-aligner lj-features --out runs/aligner && clip-tts align lj-features --aligner runs/aligner`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['resume', 'quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `expected one features folder, got ${args.positional.join(' ')}` : 'missing FEATURES_DIR');
    const outDir = requireFlag(args, 'DIR', 'out', 'o');
    const maxSteps = flagPositiveInt(args, 'max-steps');
    const threads = flagNumber(args, 'threads');
    await initEngine(threads !== undefined ? { threads } : {});
    try {
      const started = Date.now();
      const r = await trainAligner(args.positional[0]!, outDir, {
        config: flagString(args, 'config'), maxSteps, resume: args.flags.has('resume'), quiet: args.flags.has('quiet'),
      });
      const val = r.validation ? ` validation forward-sum ${Number(r.validation.loss).toFixed(4)},` : '';
      console.log(`aligner: ${r.step} steps (from ${r.resumedFrom}), last train loss ${r.lastLoss.toFixed(4)},${val} ${((Date.now() - started) / 1000).toFixed(0)} s -> ${outDir}`);
    } finally {
      await shutdownEngine();
    }
    return 0;
  },
};
