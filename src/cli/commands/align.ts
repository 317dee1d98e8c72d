import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { alignFeatures } from '../../models/aligner/align.js';

const KNOWN_FLAGS = ['aligner', 'plots', 'threads'];

/** `clip-tts align`: writes aligner durations into a feature cache. */
export const alignCommand: Command = {
  name: 'align',
  summary: 'Write phoneme durations from a trained aligner into a features folder (+ alignment PNGs)',
  help: `Usage: clip-tts align FEATURES_DIR --aligner DIR [--plots N]

Runs the aligner on every item of FEATURES_DIR (train and validation), finds each item's best
monotonic alignment (Monotonic Alignment Search) and writes the frames per phoneme (they sum to the
item's frame count) to FEATURES_DIR/durations/ID.i32 (int32), then the index durations.json. The
training loader then serves them as batch.durations. Also writes PNG pictures of the first N
alignments (soft attention, hard path in red) to FEATURES_DIR/alignments-png/.

Arguments:
  FEATURES_DIR         folder made by clip-tts prepare

Options:
  --aligner DIR        run folder of clip-tts train-aligner (or its checkpoint.safetensors)
  --plots N            alignment pictures to write (default 4)
  --threads N          engine worker threads (default: all cores)

Example:
  clip-tts align lj-features --aligner runs/aligner --plots 8`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `expected one features folder, got ${args.positional.join(' ')}` : 'missing FEATURES_DIR');
    const aligner = requireFlag(args, 'DIR', 'aligner');
    const plots = flagNumber(args, 'plots') ?? 4;
    if (!Number.isInteger(plots) || plots < 0) throw new UsageError(`--plots must be a whole number >= 0, got ${plots}`);
    const threads = flagNumber(args, 'threads');
    await initEngine(threads !== undefined ? { threads } : {});
    try {
      const started = Date.now();
      const r = await alignFeatures(aligner, args.positional[0]!, { plots });
      console.log(`aligned ${r.items} items in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${r.indexPath}${r.plots.length ? `, ${r.plots.length} plots in ${args.positional[0]}/alignments-png` : ''}`);
    } finally {
      await shutdownEngine();
    }
    return 0;
  },
};
