// The vocoder fine-tuning chain (issue 8, item 3): a real (tiny) dataset → features → durations →
// acoustic model → teacher-forced mels (predict-mels) → train-vocoder on them, started from a
// ground-truth-mel vocoder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, shutdownEngine } from '../../src/engine/index.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { readManifest } from '../../src/data/manifest.js';
import { DURATIONS_FORMAT, DURATIONS_INDEX, durationsFileFor, encodeDurations, type DurationsIndex } from '../../src/data/durations.js';
import { uniformDurations } from '../../src/models/speech-clip/model.js';
import { acousticPreset } from '../../src/models/acoustic/config.js';
import { trainAcoustic } from '../../src/models/acoustic/train.js';
import { AcousticSynthesizer } from '../../src/models/acoustic/synthesizer.js';
import { predictTeacherForcedMels } from '../../src/models/acoustic/predict-mels.js';
import { resolveVocoderConfig } from '../../src/models/vocoder/config.js';
import { VocoderTrainingModel, initFromRun, trainVocoder } from '../../src/models/vocoder/train.js';
import { loadCheckpoint } from '../../src/engine/node.js';
import { readLog } from '../../src/train/trainer.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LJ_FIXTURE = join(ROOT, 'fixtures', 'datasets', 'ljspeech');

before(async () => { await initEngine({ threads: 1 }); });
after(async () => { await shutdownEngine(); });

/** Durations as `clip-tts align` writes them (uniform here: the chain, not the alignment, is under test). */
function writeDurations(features: string): void {
  const manifest = readManifest(features);
  mkdirSync(join(features, 'durations'), { recursive: true });
  const index: DurationsIndex = { format: DURATIONS_FORMAT, version: 1, source: 'uniform (test)', items: {} };
  for (const item of manifest.items) {
    const d = uniformDurations(Int32Array.of(item.phonemes), Int32Array.of(item.frames), item.phonemes);
    writeFileSync(join(features, durationsFileFor(item.file)), encodeDurations(d));
    index.items[item.id] = { file: durationsFileFor(item.file), frames: item.frames, phonemes: item.phonemes };
  }
  writeFileSync(join(features, DURATIONS_INDEX), JSON.stringify(index));
}

test('predict-mels → train-vocoder --mels-dir from a ground-truth-mel vocoder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cliptts-ft-'));
  try {
    const features = join(dir, 'feat');
    await prepareDataset({ datasetDir: LJ_FIXTURE, outDir: features, jobs: 0, progress: false, valFraction: 0.3 });
    writeDurations(features);
    const am = join(dir, 'am');
    await trainAcoustic({ featuresDir: features, outDir: am, config: acousticPreset('tiny'), maxSteps: 3, quiet: true });
    const synth = await AcousticSynthesizer.load(am);
    const mels = join(dir, 'gta');
    const n = await predictTeacherForcedMels(synth.model, features, mels);
    synth.dispose();
    assert.equal(n, readManifest(features).items.length);
    assert.equal(readdirSync(mels).length, n);

    const config = resolveVocoderConfig({ preset: 'tiny', training: { segmentFrames: 8, batchSize: 2 } });
    const base = join(dir, 'voc');
    await trainVocoder({ featuresDir: features, outDir: base, config, maxSteps: 2, quiet: true, validationCount: 1, validateEvery: 100 });
    const tuned = join(dir, 'voc-ft');
    const r = await trainVocoder({ featuresDir: features, outDir: tuned, config, maxSteps: 2, quiet: true, validationCount: 1, validateEvery: 100, melsDir: mels, initFrom: base });
    assert.equal(r.step, 2);
    assert.ok(readLog(tuned).some((x) => x.kind === 'train' && Number.isFinite(Number(x.loss))));
    // The GAN phase, then its fine-tuning on predicted mels: --init carries the trained
    // discriminators over when both runs have them (the generator alone otherwise).
    const ganConfig = resolveVocoderConfig({ preset: 'tiny', training: { segmentFrames: 8, batchSize: 2, gan: { enabled: true } } });
    const gan = join(dir, 'voc-gan');
    await trainVocoder({ featuresDir: features, outDir: gan, config: ganConfig, maxSteps: 2, quiet: true, validationCount: 1, validateEvery: 100, initFrom: base });
    const saved = (await loadCheckpoint(join(gan, 'checkpoint.safetensors'))).tensors;
    const fresh = new VocoderTrainingModel(ganConfig);
    assert.deepEqual(initFromRun(fresh, gan), ['generator', 'discriminators']);
    for (const [name, t] of fresh.discriminators!.stateDict()) assert.deepEqual(Array.from(t.toFloat32Array()), Array.from(saved.get(`model.discriminators.${name}`)!.toFloat32Array()), name);
    for (const [name, t] of fresh.generator.stateDict()) assert.deepEqual(Array.from(t.toFloat32Array()), Array.from(saved.get(`model.generator.${name}`)!.toFloat32Array()), name);
    assert.deepEqual(initFromRun(new VocoderTrainingModel(config), gan), ['generator']);
    const ganTuned = await trainVocoder({ featuresDir: features, outDir: join(dir, 'voc-gan-ft'), config: ganConfig, maxSteps: 1, quiet: true, validationCount: 1, validateEvery: 100, melsDir: mels, initFrom: gan });
    assert.equal(ganTuned.step, 1);
    // A mels folder missing an item is refused with the file named.
    rmSync(join(mels, readdirSync(mels)[0]!));
    await assert.rejects(trainVocoder({ featuresDir: features, outDir: join(dir, 'voc-bad'), config, maxSteps: 2, quiet: true, validationCount: 1, validateEvery: 100, melsDir: mels }), /missing \(every training item needs a predicted mel/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
