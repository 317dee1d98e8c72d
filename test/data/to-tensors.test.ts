import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initEngine, shutdownEngine } from '../../src/engine/index.js';
import { FeatureLoader } from '../../src/data/loader.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { batchToTensors } from '../../src/data/to-tensors.js';
import { DATASETS, tempDir } from './helpers.js';

after(async () => { await shutdownEngine(); });

test('batchToTensors: shapes, dtypes, float masks, optional speaker/emotion tensors', async () => {
  await initEngine({ threads: 1 });
  const out = tempDir();
  await prepareDataset({ datasetDir: join(DATASETS, 'csv'), outDir: out, jobs: 0, progress: false, valFraction: 0 });
  const loader = FeatureLoader.open(out, { batchSize: 3, shuffle: false });
  const [indices] = loader.plan(0);
  const batch = await loader.loadBatch(indices!);
  const t = batchToTensors(batch);
  const B = batch.ids.length, T = batch.maxPhonemes, F = batch.maxFrames;
  assert.deepEqual(t.phonemes.shape, [B, T]);
  assert.equal(t.phonemes.dtype, 'int32');
  assert.deepEqual(t.mels.shape, [B, F, 80]);
  assert.deepEqual(t.melMask.shape, [B, F]);
  assert.equal(t.melMask.dtype, 'float32');
  assert.deepEqual(t.speakers?.shape, [B]);
  assert.deepEqual(t.emotions?.shape, [B]);
  assert.deepEqual([...t.melLengths.unsafeView()], [...batch.melLengths]);
});
