import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, loadConfigArg, requireFlag, flagPositiveInt } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { isPresetName, parseSpeechClipConfig, presetConfig, SpeechClipConfigError, type PresetName, type SpeechClipConfig } from '../../models/speech-clip/config.js';
import { formatRetrievalTable } from '../../models/speech-clip/evaluate.js';
import { trainSpeechClip } from '../../models/speech-clip/train.js';

const KNOWN_FLAGS = ['out', 'o', 'config', 'max-steps', 'resume', 'threads', 'quiet'];

function loadConfig(spec: string | undefined): SpeechClipConfig {
  return loadConfigArg(spec ?? 'small', { is: isPresetName, get: (n) => presetConfig(n as PresetName), names: 'tiny | small' }, parseSpeechClipConfig, SpeechClipConfigError);
}

/** `clip-tts train-clip`: Speech-Clip contrastive pre-training of the text encoder. */
export const trainClipCommand: Command = {
  name: 'train-clip',
  summary: 'Train Speech-Clip (contrastive text/mel encoders) on prepared features',
  help: `Usage: clip-tts train-clip FEATURES_DIR --out DIR [--config tiny|small|FILE.json] [--max-steps N] [--resume]
                            [--threads N] [--quiet]

Trains the Speech-Clip text and mel encoders so that matched text/mel pairs have a high cosine
similarity (CLIP-style symmetric InfoNCE; see docs/speech-clip.md). FEATURES_DIR comes from
\`clip-tts prepare\`; its validation split is used for retrieval metrics during training.

Options:
  -o, --out DIR       run folder: checkpoint.safetensors (+ .json config), log.jsonl, loss.png,
                      similarity.png, text-encoder.safetensors (for the acoustic model)
  --config X          'tiny', 'small' (default) or a JSON file {"preset": "small", "model": {...}, "loss": {...},
                      "training": {...}} overriding any preset field
  --max-steps N       optimizer steps (default: the config's training.totalSteps); also sets the end of
                      the cosine learning-rate schedule
  --resume            continue the run in --out exactly where its last checkpoint left it (its saved
                      config is used; --config is ignored)
  --threads N         engine threads (default 2)
  --quiet             no progress bar

Example:
  clip-tts train-clip feat/slt --out runs/clip --config small --max-steps 1500`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['resume', 'quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError('expected one FEATURES_DIR');
    const featuresDir = args.positional[0]!;
    const outDir = requireFlag(args, 'DIR', 'out', 'o');
    const config = loadConfig(flagString(args, 'config'));
    const maxSteps = flagPositiveInt(args, 'max-steps');
    if (maxSteps !== undefined) config.training.totalSteps = maxSteps;
    const threads = flagNumber(args, 'threads') ?? 2;
    await initEngine({ threads });
    try {
      const started = Date.now();
      const r = await trainSpeechClip({ featuresDir, outDir, config, maxSteps, resume: args.flags.has('resume'), quiet: args.flags.has('quiet') });
      const seconds = (Date.now() - started) / 1000;
      console.log(`speech-clip: ${r.step} steps (from ${r.resumedFrom}) in ${seconds.toFixed(0)} s, last train loss ${r.lastLoss.toFixed(4)}`);
      if (r.retrieval) console.log(formatRetrievalTable(r.retrieval));
      console.log(`text encoder for the acoustic model: ${r.textEncoderPath}`);
      return 0;
    } finally {
      await shutdownEngine();
    }
  },
};
