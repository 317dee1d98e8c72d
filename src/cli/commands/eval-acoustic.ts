import { existsSync, writeFileSync } from 'node:fs';
import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag, flagPositiveInt } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { AcousticSynthesizer } from '../../models/acoustic/synthesizer.js';
import { evaluateAcoustic, formatGroups } from '../../models/acoustic/evaluate.js';
import { VocoderSynthesizer } from '../../models/vocoder/vocode.js';

const KNOWN_FLAGS = ['acoustic', 'vocoder', 'out', 'o', 'split', 'limit', 'json', 'threads', 'quiet'];

/** `clip-tts eval-acoustic`: validation losses, synthesized wavs for MCD/WER, per-speaker/emotion F0 and rate. */
export const evalAcousticCommand: Command = {
  name: 'eval-acoustic',
  summary: 'Evaluate an acoustic model on held-out features (losses, wavs for MCD/WER, F0 and rate per speaker/emotion)',
  help: `Usage: clip-tts eval-acoustic FEATURES_DIR --acoustic RUN|FILE [--vocoder RUN|FILE] [--out DIR]
                              [--split val|train|all] [--limit N] [--json FILE] [--threads N] [--quiet]

Evaluates an acoustic model on a split of a prepared, aligned features folder (default: the
validation split, sentences the model never trained on):
  - teacher-forced losses: validation mel L1 before ("mel") and after ("postnet") the postnet,
    log-duration, pitch and energy MSE;
  - free-running synthesis of every utterance from its phonemes (predicted durations, pitch and
    energy); with --vocoder and --out, each is written to DIR/ID.wav for ../shared/eval/mcd (against
    the corpus wavs) and ../shared/eval/asr-wer;
  - per speaker and per emotion (when the features have them): median F0 of the teacher's recording,
    of the teacher's mel through the vocoder and of the model's audio (the F0 error compares the last
    two: the same vocoder on both sides), and speaking rate (phonemes per second), with the errors.

Options:
  --acoustic X      a clip-tts train run folder or an exported acoustic .safetensors
  --vocoder X       a train-vocoder run folder or .safetensors (needed for wavs and model F0)
  -o, --out DIR     folder for the synthesized wavs
  --split S         val (default), train or all
  --limit N         evaluate the first N utterances only
  --json FILE       write the whole report (per utterance too) as JSON
  --threads N       engine threads (default 2)
  --quiet           no progress

Example:
  clip-tts eval-acoustic feat/slt --acoustic runs/am --vocoder runs/vocoder --out eval/am-wavs
  mcd corpus/slt/wavs eval/am-wavs`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError('expected one FEATURES_DIR');
    const featuresDir = args.positional[0]!;
    if (!existsSync(featuresDir)) throw new UsageError(`${featuresDir}: no such features folder`);
    const acousticPath = requireFlag(args, 'RUN|FILE', 'acoustic');
    const vocoderPath = flagString(args, 'vocoder');
    const outDir = flagString(args, 'out', 'o') ?? null;
    if (outDir && !vocoderPath) throw new UsageError('--out needs --vocoder (the wavs are vocoded)');
    const split = flagString(args, 'split') ?? 'val';
    if (split !== 'val' && split !== 'train' && split !== 'all') throw new UsageError(`--split must be val, train or all, got ${split}`);
    const limit = flagPositiveInt(args, 'limit');
    const quiet = args.flags.has('quiet');
    await initEngine({ threads: flagNumber(args, 'threads') ?? 2 });
    try {
      const acoustic = await AcousticSynthesizer.load(acousticPath);
      const vocoder = vocoderPath ? await VocoderSynthesizer.load(vocoderPath) : null;
      const report = await evaluateAcoustic({
        featuresDir, acoustic, vocoder, outDir, split, limit,
        onProgress: quiet ? undefined : (done, total) => process.stderr.write(`\reval-acoustic: ${done}/${total}`),
      });
      if (!quiet) process.stderr.write('\n');
      console.log(`${report.utterances} ${split} utterances; teacher-forced: ${Object.entries(report.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
      const speakers = formatGroups('speaker', report.bySpeaker), emotions = formatGroups('emotion', report.byEmotion);
      if (speakers) console.log(speakers);
      if (emotions) console.log(emotions);
      if (outDir) console.log(`wavs: ${outDir}`);
      const jsonPath = flagString(args, 'json');
      if (jsonPath) writeFileSync(jsonPath, JSON.stringify(report, null, 1) + '\n');
      return 0;
    } finally {
      await shutdownEngine();
    }
  },
};
