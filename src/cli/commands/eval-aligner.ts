import { flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { loadAligner } from '../../models/aligner/checkpoint.js';
import { evaluateAligner } from '../../models/aligner/evaluate.js';

const KNOWN_FLAGS = ['aligner', 'labels', 'split', 'threads'];

/** `clip-tts eval-aligner`: phone-boundary accuracy of an aligner against reference .lab files. */
export const evalAlignerCommand: Command = {
  name: 'eval-aligner',
  summary: 'Phone-boundary error (median, p90 in ms) of an aligner against reference .lab segmentations',
  help: `Usage: clip-tts eval-aligner FEATURES_DIR --aligner DIR --labels LAB_DIR [--split val|train|all]

Aligns the items of one split (default: val, which the aligner did not train on) and compares the
phone boundaries with LAB_DIR/ID.lab ("start end phone" per line, seconds of the untrimmed wav, e.g.
festival or Montreal Forced Aligner output converted to .lab). Both phone strings are mapped to one
alphabet (stress dropped, pauses and punctuation removed) and aligned by edit distance; boundaries
between adjacent matched phones are compared, reference times shifted by the item's trim start.
Prints the median, 90th percentile and mean absolute error, then one JSON line with every figure.

Options:
  --aligner DIR        run folder of clip-tts train-aligner (or its checkpoint.safetensors)
  --labels LAB_DIR     folder of ID.lab files
  --split NAME         val (default), train or all
  --threads N          engine worker threads

Example:
  clip-tts eval-aligner slt-features --aligner runs/aligner --labels corpora/slt/alignments`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `expected one features folder, got ${args.positional.join(' ')}` : 'missing FEATURES_DIR');
    const aligner = requireFlag(args, 'DIR', 'aligner');
    const labels = requireFlag(args, 'LAB_DIR', 'labels');
    const split = flagString(args, 'split') ?? 'val';
    if (split !== 'val' && split !== 'train' && split !== 'all') throw new UsageError(`--split must be val, train or all, got "${split}"`);
    const threadsFlag = flagString(args, 'threads');
    await initEngine(threadsFlag !== undefined ? { threads: Number(threadsFlag) } : {});
    try {
      const { model } = await loadAligner(aligner);
      const r = await evaluateAligner(model, args.positional[0]!, labels, { split });
      console.log(`${r.split}: ${r.items} items (${r.missingLabels} without labels), ${r.boundaries} boundaries compared (${r.matchedPhones} of ${r.ourPhones} phones matched)`);
      console.log(`absolute boundary error: median ${r.medianMs} ms, p90 ${r.p90Ms} ms, mean ${r.meanMs} ms; ${(r.within20ms * 100).toFixed(1)}% within 20 ms; median signed ${r.medianSignedMs} ms`);
      console.log(`word-internal boundaries: ${r.wordInternal.boundaries}, median ${r.wordInternal.medianMs} ms, p90 ${r.wordInternal.p90Ms} ms`);
      console.log(JSON.stringify(r));
    } finally {
      await shutdownEngine();
    }
    return 0;
  },
};
