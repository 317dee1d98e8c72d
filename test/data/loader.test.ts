import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEL_CONFIG } from '../../src/audio/mel.js';
import { SymbolTable } from '../../src/text/index.js';
import { encodeCachedItem } from '../../src/data/cache.js';
import { FeatureLoader } from '../../src/data/loader.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type FeatureManifest, type ManifestItem } from '../../src/data/manifest.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { DATASETS, tempDir } from './helpers.js';

const N_MELS = 80;

/** A synthetic features folder: item k has 20 + (k * 37) % 180 frames and 5 + k % 30 phonemes; values encode (k, t). */
function syntheticFeatures(count: number): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'items'));
  const items: ManifestItem[] = [];
  for (let k = 0; k < count; k++) {
    const frames = 20 + ((k * 37) % 180), phonemes = 5 + (k % 30);
    const id = `u${String(k).padStart(3, '0')}`;
    const mel = new Float32Array(frames * N_MELS);
    for (let t = 0; t < frames; t++) for (let m = 0; m < N_MELS; m++) mel[t * N_MELS + m] = m === 0 ? k : t;
    const bytes = encodeCachedItem({
      header: { id, frames, nMels: N_MELS, phonemes, words: 1, melDtype: 'float32', fingerprint: 'x', trim: [0, 1], sourceRate: 22050, seconds: 1, warnings: [] },
      mel, pitch: Float32Array.from({ length: frames }, (_, t) => (t % 3 ? 100 + k : 0)), energy: new Float32Array(frames).fill(k),
      phonemes: Int32Array.from({ length: phonemes }, (_, i) => 10 + i), wordStarts: Int32Array.of(0),
    });
    writeFileSync(join(dir, 'items', `${id}.feat`), bytes);
    items.push({ id, file: `items/${id}.feat`, split: k % 10 === 0 ? 'val' : 'train', frames, phonemes, words: 1, seconds: 1, lang: 'en', speaker: k % 2 ? 'b' : 'a', trim: [0, 1], sourceRate: 22050 });
  }
  const stat = { mean: 100, std: 10, min: 0, max: 1, frames: 1 };
  const manifest: FeatureManifest = {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION, dataset: { path: dir, format: 'ljspeech' }, melConfig: { ...DEFAULT_MEL_CONFIG }, melDtype: 'float32',
    settings: { trimDb: 40, minSeconds: 0.5, maxSeconds: 15, valFraction: 0.1, seed: 1, minSampleRate: 16000, maxClippedFraction: 0.001 },
    fingerprint: 'x', symbols: SymbolTable.default().toJSON(), speakers: { a: 0, b: 1 }, emotions: {}, languages: { en: 0 },
    stats: { pitch: stat, logPitch: stat, energy: { ...stat, mean: 0, std: 2 } },
    totals: { items: count, train: count - Math.ceil(count / 10), val: Math.ceil(count / 10), frames: 0, hours: 0 }, items,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

test('plan: every train item exactly once, bucketed by length, deterministic by seed and epoch', () => {
  const dir = syntheticFeatures(200);
  const loader = FeatureLoader.open(dir, { batchSize: 8, seed: 3, bucketBatches: 4 });
  assert.equal(loader.items.length, 180);
  const plan = loader.plan(0);
  assert.deepEqual(plan.flat().sort((a, b) => a - b), loader.items.map((_, i) => i));
  assert.ok(plan.every((b) => b.length <= 8));
  // Bucketing: padding is far below that of random batches.
  const waste = (p: number[][]): number => p.reduce((s, b) => s + b.reduce((w, i) => w + Math.max(...b.map((j) => loader.items[j]!.frames)) - loader.items[i]!.frames, 0), 0);
  const random = FeatureLoader.open(dir, { batchSize: 8, seed: 3, bucketBatches: 0 });
  assert.ok(waste(plan) * 3 < waste(random.plan(0)), `bucketed padding ${waste(plan)} vs unbucketed ${waste(random.plan(0))}`);
  assert.deepEqual(FeatureLoader.open(dir, { batchSize: 8, seed: 3, bucketBatches: 4 }).plan(0), plan);
  assert.notDeepEqual(loader.plan(1), plan);
  assert.notDeepEqual(FeatureLoader.open(dir, { batchSize: 8, seed: 4, bucketBatches: 4 }).plan(0), plan);
});

test('frame budget: batch size x longest item stays within maxFrames', () => {
  const loader = FeatureLoader.open(syntheticFeatures(120), { batchSize: 64, maxFrames: 1000, seed: 1 });
  for (const b of loader.plan(0)) assert.ok(b.length * Math.max(...b.map((i) => loader.items[i]!.frames)) <= 1000);
  assert.throws(() => FeatureLoader.open(syntheticFeatures(5), { maxFrames: 10 }), /below the longest item/);
  // frameBudget is raised to the longest item: a budget below it keeps every item, one per batch.
  const small = syntheticFeatures(5);
  const longest = Math.max(...FeatureLoader.open(small).items.map((m) => m.frames));
  const budgeted = FeatureLoader.open(small, { frameBudget: 10, batchSize: 4, seed: 1 });
  assert.equal(budgeted.plan(0).flat().length, budgeted.items.length);
  for (const b of budgeted.plan(0)) assert.ok(b.length * Math.max(...b.map((i) => budgeted.items[i]!.frames)) <= longest);
  const roomy = FeatureLoader.open(small, { frameBudget: 1000, batchSize: 64, seed: 1 });
  assert.deepEqual(roomy.plan(0), FeatureLoader.open(small, { maxFrames: 1000, batchSize: 64, seed: 1 }).plan(0));
  assert.throws(() => FeatureLoader.open(small, { maxFrames: 1000, frameBudget: 1000 }), /not both/);
});

test('batches: padding, masks, lengths, values in the right rows; validation split unshuffled', async () => {
  const dir = syntheticFeatures(60);
  const loader = FeatureLoader.open(dir, { batchSize: 5, seed: 9, normalize: true });
  const plan = loader.plan(0);
  let count = 0;
  for await (const b of loader.batches(0)) {
    const expected = plan[count++]!;
    assert.deepEqual(b.ids, expected.map((i) => loader.items[i]!.id));
    const B = b.ids.length, T = b.maxPhonemes, F = b.maxFrames;
    assert.equal(b.phonemes.length, B * T);
    assert.equal(b.mels.length, B * F * N_MELS);
    assert.equal(F, Math.max(...b.melLengths));
    for (let r = 0; r < B; r++) {
      const k = Number(b.ids[r]!.slice(1));
      const n = b.phonemeLengths[r]!, f = b.melLengths[r]!;
      assert.equal(n, 5 + (k % 30));
      assert.equal(f, 20 + ((k * 37) % 180));
      for (let i = 0; i < T; i++) {
        assert.equal(b.phonemeMask[r * T + i], i < n ? 1 : 0);
        assert.equal(b.phonemes[r * T + i], i < n ? 10 + i : 0);
      }
      for (let t = 0; t < F; t++) {
        assert.equal(b.melMask[r * F + t], t < f ? 1 : 0);
        const base = (r * F + t) * N_MELS;
        if (t < f) {
          assert.equal(b.mels[base], k);
          assert.equal(b.mels[base + 1], t);
          assert.ok(Math.abs(b.pitch[r * F + t]! - (t % 3 ? k / 10 : 0)) < 1e-5); // normalised, unvoiced stays 0
          assert.equal(b.energy[r * F + t], k / 2);
        } else {
          assert.ok(Math.abs(b.mels[base + 1]! - Math.log(1e-5)) < 1e-4);
          assert.equal(b.pitch[r * F + t], 0);
        }
      }
      assert.equal(b.speakers![r], k % 2);
    }
    assert.equal(b.emotions, undefined);
  }
  assert.equal(count, plan.length);
  // A resumed trainer skips the batches it already consumed: the rest of the same plan.
  const resumed: string[][] = [];
  for await (const b of loader.batches(0, 3)) resumed.push(b.ids);
  assert.deepEqual(resumed, plan.slice(3).map((ids) => ids.map((i) => loader.items[i]!.id)));
  const val = FeatureLoader.open(dir, { split: 'val', batchSize: 100, bucketBatches: 0 });
  assert.deepEqual(val.plan(0), [[0, 1, 2, 3, 4, 5]]);
});

test('loader on prepared fixture features (csv: speakers and emotions)', async () => {
  const out = tempDir();
  await prepareDataset({ datasetDir: join(DATASETS, 'csv'), outDir: out, jobs: 0, progress: false, valFraction: 0 });
  const loader = FeatureLoader.open(out, { batchSize: 4 });
  const batches = [];
  for await (const b of loader.batches(0)) batches.push(b);
  assert.equal(batches.length, 1);
  const b = batches[0]!;
  assert.equal(b.ids.length, 4);
  assert.deepEqual([...b.speakers!].sort(), [0, 0, 1, 1]);
  assert.deepEqual([...b.emotions!].sort(), [0, 0, 1, 1]);
  assert.ok(b.mels.every(Number.isFinite));
  assert.ok([...b.melLengths].every((f) => f > 30));
});
