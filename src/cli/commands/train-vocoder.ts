import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags, requireFlag, flagPositiveInt } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { isVocoderPreset, resolveVocoderConfig, VocoderConfigError, type VocoderConfig } from '../../models/vocoder/config.js';
import { trainVocoder } from '../../models/vocoder/train.js';

const KNOWN_FLAGS = ['out', 'o', 'config', 'max-steps', 'resume', 'mels-dir', 'init', 'gan', 'limit-items', 'log-every', 'validate-every', 'checkpoint-every', 'threads', 'quiet'];
const BOOLEANS = ['resume', 'gan', 'quiet'];

/** --config: a preset name, or a JSON file (a partial config over its "preset", default 'small'). */
function loadConfig(arg: string | undefined, outDir: string, resume: boolean): VocoderConfig {
  try {
    if (arg === undefined) {
      // Resuming without --config continues with the run's own config.
      const saved = join(outDir, 'checkpoint.json');
      if (resume && existsSync(saved)) {
        const run = JSON.parse(readFileSync(saved, 'utf8')) as { vocoder?: unknown };
        return resolveVocoderConfig(run.vocoder ?? {});
      }
      return resolveVocoderConfig({ preset: 'small' });
    }
    if (isVocoderPreset(arg)) return resolveVocoderConfig({ preset: arg });
    if (!existsSync(arg)) throw new UsageError(`--config ${arg}: neither a preset (tiny, small) nor a file`);
    return resolveVocoderConfig(JSON.parse(readFileSync(arg, 'utf8')) as unknown);
  } catch (e) {
    if (e instanceof VocoderConfigError || e instanceof SyntaxError) throw new UsageError(`--config ${arg ?? '(saved)'}: ${e.message}`);
    throw e;
  }
}

/** `clip-tts train-vocoder`: trains the Vocos-style vocoder on a feature cache (+ the source wavs). */
export const trainVocoderCommand: Command = {
  name: 'train-vocoder',
  summary: 'Train the Vocos-style vocoder (mel -> waveform) on a prepared feature folder',
  help: `Usage: clip-tts train-vocoder FEATURES_DIR --out DIR [--config tiny|small|FILE.json] [--max-steps N] [--resume] [--threads N]

Trains the vocoder on random (mel segment, waveform segment) pairs of the training split. Mels come
from the feature cache; waveforms are read back from the dataset the cache was prepared from
(manifest.json records its path) and cut to the trimmed span. Phase 1 (default) uses the
multi-resolution STFT + mel L1 losses; --gan adds multi-period and multi-resolution discriminators
(start it in a new --out with --init PHASE1_DIR). Every 100 steps the run is checkpointed
atomically; --resume continues exactly where it stopped (also after kill -9).

Arguments:
  FEATURES_DIR            a folder written by \`clip-tts prepare\`

Options:
  --out, -o DIR           run folder: checkpoint.safetensors, checkpoint.json, log.jsonl, loss.png, samples/
  --config NAME|FILE      preset (tiny, small; default small) or JSON overriding a preset, e.g.
                          {"preset": "small", "training": {"batchSize": 16}}; on --resume the run's own config
  --max-steps N           optimizer steps to reach (default 200000)
  --resume                continue the run in --out
  --gan                   enable adversarial fine-tuning (training.gan.enabled)
  --init DIR|FILE         start the generator from another run (e.g. phase 1 -> GAN phase)
  --mels-dir DIR          train on predicted mels DIR/ID.npy ([80, frames], teacher-forced durations)
  --limit-items N         use only the first N training items
  --log-every N           log interval in steps (default 10)
  --validate-every N      copy-synthesis of 4 validation items every N steps (default 500)
  --checkpoint-every N    default 100
  --threads N             engine threads (default 2; 1 each when two trainings share 2 cores)
  --quiet                 no progress bar

Example:
  clip-tts train-vocoder ~/features/lj --out runs/vocoder --config small
  clip-tts train-vocoder ~/features/lj --out runs/vocoder --resume`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, BOOLEANS);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError('expected one FEATURES_DIR');
    const featuresDir = args.positional[0]!;
    if (!existsSync(join(featuresDir, 'manifest.json'))) throw new UsageError(`${featuresDir}: no manifest.json (run \`clip-tts prepare\` first)`);
    const outDir = requireFlag(args, 'DIR', 'out', 'o');
    const resume = args.flags.get('resume') === true;
    const config = loadConfig(flagString(args, 'config'), outDir, resume);
    if (args.flags.get('gan') === true) config.training.gan.enabled = true;
    const maxSteps = flagPositiveInt(args, 'max-steps') ?? 200_000;
    await initEngine({ threads: flagPositiveInt(args, 'threads') ?? 2 });
    try {
      const melsDir = flagString(args, 'mels-dir'), initFrom = flagString(args, 'init');
      const limitItems = flagPositiveInt(args, 'limit-items');
      const logEvery = flagPositiveInt(args, 'log-every');
      const validateEvery = flagPositiveInt(args, 'validate-every');
      const checkpointEvery = flagPositiveInt(args, 'checkpoint-every');
      const result = await trainVocoder({
        featuresDir, outDir, config, maxSteps, resume, quiet: args.flags.get('quiet') === true,
        ...(melsDir ? { melsDir } : {}), ...(initFrom ? { initFrom } : {}), ...(limitItems ? { limitItems } : {}),
        ...(logEvery ? { logEvery } : {}), ...(validateEvery ? { validateEvery } : {}), ...(checkpointEvery ? { checkpointEvery } : {}),
      });
      const val = result.validation ? Object.entries(result.validation).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ') : 'none';
      console.log(`vocoder: step ${result.step}${result.resumedFrom ? ` (resumed from ${result.resumedFrom})` : ''}, train loss ${result.lastLoss.toFixed(4)}, validation: ${val} -> ${outDir}`);
      return 0;
    } finally {
      await shutdownEngine();
    }
  },
};
