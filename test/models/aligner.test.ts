import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, shutdownEngine, tensor, noGrad, tidy } from '../../src/engine/index.js';
import { betaBinomialLogPrior, PriorCache } from '../../src/models/aligner/prior.js';
import { forwardSumItem, forwardSumLoss } from '../../src/models/aligner/loss.js';
import { monotonicAlignmentSearch } from '../../src/models/aligner/mas.js';
import { resolveAlignerConfig, AlignerConfigError } from '../../src/models/aligner/config.js';
import { trainAligner } from '../../src/models/aligner/train.js';
import { alignFeatures } from '../../src/models/aligner/align.js';
import { alignPhoneStrings, compareBoundaries, parseLab } from '../../src/models/aligner/evaluate.js';
import { readLog } from '../../src/train/trainer.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { FeatureLoader } from '../../src/data/loader.js';
import { readManifest } from '../../src/data/manifest.js';
import { gradcheck, input, Rng } from '../engine/gradcheck.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

before(async () => { await initEngine({ threads: 1 }); });
after(async () => { await shutdownEngine(); });

/** Random log-probability rows [F, C] (each row a normalised distribution). */
function randomLogProbs(rng: Rng, F: number, C: number): Float64Array {
  const lp = new Float64Array(F * C);
  for (let f = 0; f < F; f++) {
    let z = 0;
    const v: number[] = [];
    for (let c = 0; c < C; c++) { v.push(Math.exp(2 * rng.normal())); z += v[c]!; }
    for (let c = 0; c < C; c++) lp[f * C + c] = Math.log(v[c]! / z);
  }
  return lp;
}

/** −ln Σ over every frame labelling (blank 0, tokens 1..T) whose CTC collapse is 1..T. */
function bruteForceNll(lp: Float64Array, F: number, T: number): number {
  const C = T + 1, seq = new Array<number>(F).fill(0);
  let total = 0;
  const target = Array.from({ length: T }, (_, i) => i + 1).join();
  const visit = (f: number): void => {
    if (f === F) {
      const collapsed: number[] = [];
      let prev = -1;
      for (const x of seq) { if (x !== prev && x !== 0) collapsed.push(x); prev = x; }
      if (collapsed.join() !== target) return;
      let logp = 0;
      seq.forEach((x, i) => { logp += lp[i * C + x]!; });
      total += Math.exp(logp);
      return;
    }
    for (let c = 0; c < C; c++) { seq[f] = c; visit(f + 1); }
  };
  visit(0);
  return -Math.log(total);
}

test('prior: [F, T] rows are distributions whose mass walks along the diagonal; cached per (T, F)', () => {
  for (const [T, F] of [[1, 5], [4, 9], [7, 30], [12, 12]] as const) {
    const p = betaBinomialLogPrior(T, F);
    assert.equal(p.length, F * T);
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += Math.exp(p[f * T + t]!) - 1e-8;
      assert.ok(Math.abs(s - 1) < 1e-5, `row ${f} of (${T}, ${F}) sums to ${s}`);
    }
    const argmax = (f: number): number => { let b = 0; for (let t = 1; t < T; t++) if (p[f * T + t]! > p[f * T + b]!) b = t; return b; };
    assert.equal(argmax(0), 0);
    assert.equal(argmax(F - 1), T - 1);
  }
  const cache = new PriorCache();
  assert.equal(cache.get(5, 20), cache.get(5, 20));
  const batch = cache.batch([2, 3], [4, 5], 3, 5);
  assert.equal(batch.length, 2 * 5 * 3);
  assert.equal(batch[2], 0, 'padding text column of item 0 is 0');
});

test('forward-sum: equals the enumerated sum over all CTC paths; gradient matches finite differences', () => {
  const rng = new Rng(3);
  for (const [F, T] of [[3, 1], [4, 2], [6, 3], [5, 4]] as const) {
    const lp = randomLogProbs(rng, F, T + 1);
    const r = forwardSumItem(lp, 0, T + 1, F, T);
    assert.ok(Math.abs(r.nll - bruteForceNll(lp, F, T)) < 1e-9, `F=${F} T=${T}: ${r.nll} vs ${bruteForceNll(lp, F, T)}`);
    const eps = 1e-6;
    for (let i = 0; i < F * (T + 1); i++) {
      const up = lp.slice(), down = lp.slice();
      up[i]! += eps; down[i]! -= eps;
      const numeric = (forwardSumItem(up, 0, T + 1, F, T, false).nll - forwardSumItem(down, 0, T + 1, F, T, false).nll) / (2 * eps);
      assert.ok(Math.abs(numeric - r.grad![i]!) < 1e-6, `grad[${i}] ${r.grad![i]} vs ${numeric}`);
    }
  }
  assert.equal(forwardSumItem(new Float64Array(3 * 5), 0, 5, 3, 4).nll, Infinity, 'F < T has no path');

  // The whole loss as engine ops (blank column, log-softmax, padding of both axes) through autograd.
  const B = 2, F = 5, T = 3;
  const values = Array.from({ length: B * F * T }, (_, i) => Math.sin(i * 1.7) * 1.5);
  const res = gradcheck((x) => forwardSumLoss(x, [3, 2], [5, 4], -1), [input([B, F, T], values)], { eps: 1e-2 });
  assert.ok(res.ok, `forward-sum gradcheck: max ratio ${res.maxRatio} ${JSON.stringify(res.failures)}`);
  // Padded frames and text columns (item 1: frame 4, token 2) contribute nothing to the loss.
  const changed = values.slice();
  changed[(1 * F + 4) * T + 0] = 50; changed[(1 * F + 0) * T + 2] = 50;
  const [l0, l1] = [values, changed].map((v) => tidy(() => noGrad(() => forwardSumLoss(tensor(Float32Array.from(v), [B, F, T]), [3, 2], [5, 4]).item())));
  assert.ok(Math.abs(l0! - l1!) < 1e-6, `padding changed the loss: ${l0} vs ${l1}`);
});

/** Best total of Σ_f v[f, t(f)] over every monotonic path with each token ≥ 1 frame, by enumerating durations. */
function bruteForceBest(v: Float64Array, F: number, T: number): number {
  let best = -Infinity;
  const d = new Array<number>(T).fill(1);
  const rec = (t: number, left: number): void => {
    if (t === T - 1) {
      d[t] = left;
      let s = 0, f = 0;
      for (let k = 0; k < T; k++) for (let j = 0; j < d[k]!; j++, f++) s += v[f * T + k]!;
      best = Math.max(best, s);
      return;
    }
    for (let x = 1; x <= left - (T - 1 - t); x++) { d[t] = x; rec(t + 1, left - x); }
  };
  rec(0, F);
  return best;
}

test('MAS: durations sum to the frames, every token ≥ 1 frame, and the path is the brute-force optimum', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 60; trial++) {
    const T = rng.int(1, 5), F = rng.int(T, 10);
    const v = new Float64Array(F * T);
    for (let i = 0; i < v.length; i++) v[i] = rng.normal();
    const d = monotonicAlignmentSearch(v, F, T);
    assert.equal(d.reduce((a, b) => a + b, 0), F);
    assert.ok(d.every((x) => x >= 1), `durations ${d.join(',')}`);
    let s = 0, f = 0;
    for (let k = 0; k < T; k++) for (let j = 0; j < d[k]!; j++, f++) s += v[f * T + k]!;
    assert.ok(Math.abs(s - bruteForceBest(v, F, T)) < 1e-9, `trial ${trial}: MAS ${s} vs best ${bruteForceBest(v, F, T)}`);
  }
  // Row stride + offset (a padded batch row) and F < T (spread evenly, still summing to F).
  const padded = new Float64Array(2 * 4 * 5).fill(-100);
  for (let f = 0; f < 4; f++) padded[40 / 2 + f * 5 + Math.min(f, 2)] = 0;
  assert.deepEqual([...monotonicAlignmentSearch(padded, 4, 3, 5, 20)], [1, 1, 2]);
  const few = monotonicAlignmentSearch(new Float64Array(6), 2, 3);
  assert.equal(few.reduce((a, b) => a + b, 0), 2);
});

test('config: presets validate, overrides apply, bad fields are named', () => {
  const c = resolveAlignerConfig({ preset: 'tiny', train: { maxSteps: 7 } }, 100);
  assert.equal(c.train.maxSteps, 7);
  assert.equal(c.model.vocabSize, 100);
  assert.throws(() => resolveAlignerConfig({ model: { keyKernels: [2] } }, 100), AlignerConfigError);
  assert.throws(() => resolveAlignerConfig({ train: { lr: -1 } }, 100), /train\.lr/);
});

test('evaluation: phone strings align by edit distance; boundaries are compared between adjacent matched phones', () => {
  assert.deepEqual(alignPhoneStrings(['DH', 'AH', 'K', 'AE', 'T'], ['DH', 'AH', 'K', 'AE', 'D']), [[0, 0], [1, 1], [2, 2], [3, 3]]);
  const lab = parseLab('0.0 0.1 pau\n0.1 0.2 dh\n0.2 0.3 ax\n0.3 0.5 k\n0.5 0.6 pau\n0.6 0.7 t\n');
  const hop = 256 / 22050;
  const r = compareBoundaries({
    symbols: ['DH', 'AH0', 'K', ',', 'T'], wordStarts: [0, 2, 4], durations: [9, 9, 17, 9, 9], trimStart: 0.1, frameSeconds: hop,
  }, lab);
  // DH|AH and AH|K compared (K|T has a pause and a comma between them).
  assert.equal(r.errors.length, 2);
  assert.ok(Math.abs(r.errors[0]! - ((9 - 0.5) * hop - 0.1)) < 1e-9);
  assert.deepEqual(r.wordInternal, [true, false]);
});

test('a tiny aligner trains on the LJSpeech fixture (loss falls); align writes durations the loader serves; CLI help', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-aligner-'));
  try {
    const feat = join(dir, 'feat'), run = join(dir, 'run');
    await prepareDataset({ datasetDir: join(ROOT, 'fixtures', 'datasets', 'ljspeech'), outDir: feat, jobs: 0, progress: false, valFraction: 0.25 });
    const r = await trainAligner(feat, run, { config: 'tiny', maxSteps: 40, quiet: true });
    assert.equal(r.step, 40);
    const log = readLog(run).filter((x) => x.kind === 'train').map((x) => Number(x.forwardSum));
    assert.ok(log.length >= 4 && log.every(Number.isFinite));
    assert.ok(log[log.length - 1]! < log[0]!, `forward-sum should fall: ${log.map((x) => x.toFixed(3)).join(' ')}`);
    assert.ok(existsSync(join(run, 'alignment.png')) && existsSync(join(run, 'loss.png')));

    const res = await alignFeatures(run, feat, { plots: 2 });
    const manifest = readManifest(feat);
    assert.equal(res.items, manifest.items.length);
    assert.equal(readdirSync(join(feat, 'alignments-png')).filter((f) => f.endsWith('.png')).length, 2);
    const index = JSON.parse(readFileSync(join(feat, 'durations.json'), 'utf8')) as { items: Record<string, { frames: number }> };
    assert.deepEqual(Object.keys(index.items).sort(), manifest.items.map((m) => m.id).sort());
    const loader = FeatureLoader.open(feat, { split: 'all', batchSize: 8, shuffle: false });
    let seen = 0;
    for await (const b of loader.batches(0)) {
      const durations = b.durations;
      assert.ok(durations, 'batch.durations present after align');
      for (let i = 0; i < b.ids.length; i++) {
        const row: Int32Array = durations.subarray(i * b.maxPhonemes, (i + 1) * b.maxPhonemes);
        assert.equal(row.reduce((a, x) => a + x, 0), b.melLengths[i], `${b.ids[i]} durations sum to its frames`);
        assert.ok(row.subarray(0, b.phonemeLengths[i]).every((x) => x >= 1));
        seen++;
      }
    }
    assert.equal(seen, manifest.items.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const cmd of ['train-aligner', 'align', 'eval-aligner']) {
    const h = spawnSync(process.execPath, [MAIN, cmd, '--help'], { encoding: 'utf8' });
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`Usage: clip-tts ${cmd} FEATURES_DIR`));
  }
});
