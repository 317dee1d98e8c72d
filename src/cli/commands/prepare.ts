import { readFileSync } from 'node:fs';
import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag } from '../command.js';
import { parseMelConfigJson, MelConfigError, type MelConfig } from '../../audio/mel.js';
import { formatReport, prepareDataset, PrepareError } from '../../data/prepare.js';
import { isDatasetFormat } from '../../data/readers/index.js';
import { DATASET_FORMATS } from '../../data/types.js';

const KNOWN_FLAGS = ['format', 'out', 'o', 'jobs', 'j', 'strict', 'val-fraction', 'seed', 'min-seconds', 'max-seconds', 'trim-db', 'config', 'float32', 'quiet'];

function loadMelConfig(path: string | undefined): MelConfig | undefined {
  if (path === undefined) return undefined;
  try {
    return parseMelConfigJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    if (e instanceof MelConfigError || e instanceof SyntaxError) throw new UsageError(`--config ${path}: ${e.message}`);
    throw new UsageError(`cannot read --config ${path}: ${(e as Error).message}`);
  }
}

/** `clip-tts prepare`: dataset folder → feature cache, manifest and validation report. */
export const prepareCommand: Command = {
  name: 'prepare',
  summary: 'Prepare a dataset for training (mel, pitch, energy, phonemes) with a validation report',
  help: `Usage: clip-tts prepare DATASET_DIR --out FEATURES_DIR [--format FORMAT] [options]

Reads a dataset in its native layout, checks every utterance, and writes the training features:
FEATURES_DIR/items/ID.feat (log-mel, F0, energy, phoneme ids), manifest.json (symbols, speakers,
emotions, statistics, train/validation split) and report.json (every problem found). Problems
(missing or unreadable wavs, empty text, unknown symbols, clips too short or long, sample rates
below 16 kHz, clipping) skip the item and are summarised at the end. Re-running resumes: finished
items are kept, only the rest is computed.

Arguments:
  DATASET_DIR            the folder as downloaded

Options:
  --out, -o DIR          features folder (created)
  --format NAME          ${DATASET_FORMATS.join('|')} (default: detected from the files)
  --jobs, -j N           worker threads (default: number of cores)
  --strict               stop with exit code 1 at the first problem instead of skipping
  --val-fraction X       share of items in the validation split (default 0.02, at least 1 item)
  --seed S               seed of the split (default 1)
  --min-seconds S        skip clips shorter than this after trimming (default 0.5)
  --max-seconds S        skip clips longer than this after trimming (default 15)
  --trim-db DB           trim edge silence quieter than DB below the peak (default 40)
  --config FILE.json     mel settings (as for \`clip-tts mel\`); default 22050 Hz, n_fft 1024, hop 256, 80 mels
  --float32              store mels as float32 (default float16: half the disk)
  --quiet                no progress bar, no summary

Formats:
  ljspeech   metadata.csv (id|text|normalized), wavs/ID.wav
  baker      ProsodyLabeling/000001-010000.txt, Wave/NNNNNN.wav (BZNSYP)
  aishell3   train/content.txt, test/content.txt, SPLIT/wav/SPEAKER/ID.wav
  libritts   [split/]SPEAKER/CHAPTER/ID.normalized.txt + ID.wav
  esd        SPEAKER/SPEAKER.txt (id, text, emotion), SPEAKER/Emotion/ID.wav
  csv        metadata.csv (id|text|speaker|emotion, optional header), wavs/ID.wav

Example:
  clip-tts prepare ~/data/LJSpeech-1.1 --out ~/data/lj-features`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['strict', 'float32', 'quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `expected one dataset folder, got ${args.positional.join(' ')}` : 'missing DATASET_DIR');
    const outDir = requireFlag(args, 'FEATURES_DIR', 'out', 'o');
    const format = flagString(args, 'format');
    if (format !== undefined && !isDatasetFormat(format)) throw new UsageError(`unknown --format "${format}" (known: ${DATASET_FORMATS.join(', ')})`);
    const jobs = flagNumber(args, 'jobs') ?? flagNumber(args, 'j');
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 0)) throw new UsageError(`--jobs must be a whole number >= 0, got ${jobs}`);
    const quiet = args.flags.has('quiet');
    const melConfig = loadMelConfig(flagString(args, 'config'));
    try {
      const { report, reportPath, manifest } = await prepareDataset({
        datasetDir: args.positional[0]!, outDir,
        ...(format !== undefined ? { format } : {}),
        ...(jobs !== undefined ? { jobs } : {}),
        strict: args.flags.has('strict'),
        ...(melConfig ? { melConfig } : {}),
        melDtype: args.flags.has('float32') ? 'float32' : 'float16',
        valFraction: flagNumber(args, 'val-fraction') ?? 0.02,
        seed: flagNumber(args, 'seed') ?? 1,
        minSeconds: flagNumber(args, 'min-seconds') ?? 0.5,
        maxSeconds: flagNumber(args, 'max-seconds') ?? 15,
        trimDb: flagNumber(args, 'trim-db') ?? 40,
        progress: !quiet,
      });
      if (!quiet) {
        console.log(formatReport(report));
        console.log(`features: ${outDir} (${manifest.totals.train} train, ${manifest.totals.val} validation); report: ${reportPath}`);
      }
      return 0;
    } catch (e) {
      if (e instanceof PrepareError) { console.error(`clip-tts prepare: --strict: ${e.message}`); return 1; }
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
  },
};
