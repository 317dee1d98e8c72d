import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  backward, initEngine, manualSeed, shutdownEngine, tensor, tidy, noGrad,
} from '../../src/engine/index.js';
import { loadCheckpoint, loadInto } from '../../src/engine/node.js';
import { DEFAULT_MEL_CONFIG } from '../../src/audio/mel.js';
import { encodeCachedItem } from '../../src/data/cache.js';
import { FeatureLoader, type Batch } from '../../src/data/loader.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type FeatureManifest, type ManifestItem } from '../../src/data/manifest.js';
import { batchToTensors } from '../../src/data/to-tensors.js';
import { readLog } from '../../src/train/trainer.js';
import { parseSpeechClipConfig, presetConfig, type SpeechClipConfig, type TextEncoderConfig } from '../../src/models/speech-clip/config.js';
import { infoNCE, l2Normalize, logitScaleOf } from '../../src/models/speech-clip/losses.js';
import { SpeechClip, TextEncoder, batchDurations, uniformDurations } from '../../src/models/speech-clip/model.js';
import { evaluateRetrieval, retrievalMetrics } from '../../src/models/speech-clip/evaluate.js';
import { dataConfigOf, trainSpeechClip } from '../../src/models/speech-clip/train.js';
import { sinusoidalTable } from '../../src/models/speech-clip/positional.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const N_MELS = 80;
const SYMBOLS = ['<pad>', '<unk>', ...Array.from({ length: 22 }, (_, i) => `p${i}`)];

before(async () => { await initEngine({ threads: 1 }); });
after(async () => { await shutdownEngine(); });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cliptts-clip-'));
}

/**
 * Random-but-learnable pairs: each utterance is 4-9 random phonemes (ids 2..23); phoneme p sounds
 * like a fixed random 80-bin pattern for 2-5 frames, plus noise. Matching a text to its mel needs
 * the content, not the length alone (lengths overlap heavily).
 */
function syntheticFeatures(count: number, valCount: number, seed = 7): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'items'));
  let s = seed;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const patterns = SYMBOLS.map(() => Float32Array.from({ length: N_MELS }, () => -6 + 3 * (rnd() - 0.5) * 2));
  const items: ManifestItem[] = [];
  for (let k = 0; k < count; k++) {
    const n = 4 + Math.floor(rnd() * 6);
    const phonemes = Int32Array.from({ length: n }, () => 2 + Math.floor(rnd() * (SYMBOLS.length - 2)));
    const durations = Array.from({ length: n }, () => 2 + Math.floor(rnd() * 4));
    const frames = durations.reduce((a, b) => a + b, 0);
    const mel = new Float32Array(frames * N_MELS);
    let f = 0;
    phonemes.forEach((p, i) => {
      for (let d = 0; d < durations[i]!; d++, f++) for (let m = 0; m < N_MELS; m++) mel[f * N_MELS + m] = patterns[p]![m]! + 0.3 * (rnd() - 0.5);
    });
    const id = `s${String(k).padStart(3, '0')}`;
    writeFileSync(join(dir, 'items', `${id}.feat`), encodeCachedItem({
      header: { id, frames, nMels: N_MELS, phonemes: n, words: 1, melDtype: 'float32', fingerprint: 'x', trim: [0, 1], sourceRate: 22050, seconds: 1, warnings: [] },
      mel, pitch: new Float32Array(frames), energy: new Float32Array(frames), phonemes, wordStarts: Int32Array.of(0),
    }));
    items.push({ id, file: `items/${id}.feat`, split: k < valCount ? 'val' : 'train', frames, phonemes: n, words: 1, seconds: 1, lang: 'en', trim: [0, 1], sourceRate: 22050 });
  }
  const stat = { mean: 0, std: 1, min: 0, max: 1, frames: 1 };
  const manifest: FeatureManifest = {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION, dataset: { path: dir, format: 'ljspeech' }, melConfig: { ...DEFAULT_MEL_CONFIG }, melDtype: 'float32',
    settings: { trimDb: 40, minSeconds: 0.5, maxSeconds: 15, valFraction: 0.1, seed: 1, minSampleRate: 16000, maxClippedFraction: 0.001 },
    fingerprint: 'x', symbols: { format: 'clip-tts-symbols', version: 1, symbols: SYMBOLS } as unknown as FeatureManifest['symbols'],
    speakers: {}, emotions: {}, languages: { en: 0 }, stats: { pitch: stat, logPitch: stat, energy: stat },
    totals: { items: count, train: count - valCount, val: valCount, frames: 0, hours: 0 }, items,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

function tinyConfig(patch: (c: SpeechClipConfig) => void = () => undefined): SpeechClipConfig {
  const c = presetConfig('tiny');
  patch(c);
  return c;
}

test('infoNCE equals the hand-computed value on a 3×3 case and is symmetric', () => {
  const a = [[1, 0, 0], [0.6, 0.8, 0], [0, 0.6, 0.8]];
  const b = [[0.8, 0.6, 0], [0, 1, 0], [0, 0, 1]];
  const s = 2.5;
  // Reference in float64: logits = s·a·bᵀ; mean CE over rows and over columns, averaged.
  const logits = a.map((ai) => b.map((bj) => s * ai.reduce((acc, v, k) => acc + v * bj[k]!, 0)));
  const ce = (rows: number[][]): number => rows.reduce((acc, r, i) => acc + Math.log(r.reduce((z, v) => z + Math.exp(v), 0)) - r[i]!, 0) / rows.length;
  const cols = logits[0]!.map((_, j) => logits.map((r) => r[j]!));
  const expected = (ce(logits) + ce(cols)) / 2;
  tidy(() => {
    const ta = tensor(a.flat(), [3, 3]), tb = tensor(b.flat(), [3, 3]);
    const ab = infoNCE(ta, tb, s).loss.item();
    const ba = infoNCE(tb, ta, s).loss.item();
    assert.ok(Math.abs(ab - expected) < 1e-5, `infoNCE ${ab} vs hand-computed ${expected}`);
    assert.ok(Math.abs(ab - ba) < 1e-6, 'swapping the modalities must not change the loss');
    // Perfectly matched, well-separated pairs at a high scale: loss → 0.
    const eye = tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
    assert.ok(infoNCE(eye, eye, 100).loss.item() < 1e-6);
    // l2Normalize gives unit rows.
    const n = l2Normalize(tensor([3, 4, 0, 0, 0, 2], [2, 3])).toArray();
    assert.deepEqual(Array.from(n).map((v) => Number(v.toFixed(6))), [0.6, 0.8, 0, 0, 0, 1]);
  });
});

test('temperature: logit scale starts at 1/0.07, is clamped to [1, 100], no gradient past the clamp', () => {
  manualSeed(1);
  const model = new SpeechClip(presetConfig('tiny'), { vocabSize: 24, nMels: 80, speakers: 0, emotions: 0 });
  assert.ok(Math.abs(model.logitScale() - 1 / 0.07) < 1e-3);
  model.logScale.unsafeView().fill(10);
  assert.ok(Math.abs(model.logitScale() - 100) < 1e-3, `clamped scale ${model.logitScale()}`);
  tidy(() => {
    assert.ok(Math.abs(logitScaleOf(tensor([-3]), 100).item() - 1) < 1e-6);
    backward(logitScaleOf(model.logScale, 100));
  });
  assert.equal(model.logScale.grad?.toArray()[0] ?? 0, 0, 'a clamped scale gets no gradient');
  assert.throws(() => parseSpeechClipConfig({ preset: 'tiny', model: { initialTemperature: 0.001 } }), /maxLogitScale/);
  assert.throws(() => parseSpeechClipConfig({ preset: 'tiny', model: { temperature: 0.1 } }), /unknown config field "model.temperature"/);
  assert.equal(parseSpeechClipConfig({ preset: 'tiny', loss: { objective: 'both' } }).loss.objective, 'both');
});

test('durations: uniform fallback sums to the frames; aligner durations are used when consistent', () => {
  const d = uniformDurations(Int32Array.of(3, 2), Int32Array.of(10, 5), 4);
  assert.deepEqual(Array.from(d), [3, 3, 4, 0, 2, 3, 0, 0]);
  const base = { ids: ['a', 'b'], maxPhonemes: 4, phonemeLengths: Int32Array.of(3, 2), melLengths: Int32Array.of(10, 5) } as unknown as Batch;
  assert.equal(batchDurations(base).source, 'uniform');
  const aligned: Batch = { ...base, durations: Int32Array.of(1, 2, 7, 0, 4, 1, 0, 0) };
  assert.deepEqual(batchDurations(aligned), { durations: Int32Array.of(1, 2, 7, 0, 4, 1, 0, 0), source: 'aligner' });
  const stale: Batch = { ...base, durations: Int32Array.of(1, 2, 7, 0, 4, 4, 0, 0) };
  const r = batchDurations(stale);
  assert.equal(r.source, 'uniform');
  assert.deepEqual(Array.from(r.durations.subarray(0, 4)), [1, 2, 7, 0], 'consistent rows keep their aligner durations');
  const pe = sinusoidalTable(3, 4);
  assert.deepEqual(Array.from(pe.subarray(0, 4)), [0, 1, 0, 1]);
  assert.ok(Math.abs(pe[4]! - Math.sin(1)) < 1e-6 && Math.abs(pe[6]! - Math.sin(1 / 100)) < 1e-6);
});

test('phoneme-level contrast and duration loss run and reach every part of the model', async () => {
  const dir = syntheticFeatures(24, 4);
  const loader = FeatureLoader.open(dir, { batchSize: 8, shuffle: false });
  manualSeed(2);
  const config = tinyConfig((c) => { c.loss.objective = 'both'; });
  const model = new SpeechClip(config, dataConfigOf(loader));
  const batch = await loader.loadBatch(loader.plan(0)[0]!);
  const parts = tidy(() => {
    const { durations } = batchDurations(batch);
    const out = model.loss(batchToTensors(batch), durations, batch.phonemeLengths);
    backward(out.loss);
    return { phoneme: (out.parts.phoneme as { item(): number }).item(), duration: (out.parts.duration as { item(): number }).item() };
  });
  assert.ok(Number.isFinite(parts.phoneme) && parts.phoneme > 0, `phoneme loss ${parts.phoneme}`);
  assert.ok(Number.isFinite(parts.duration) && parts.duration > 0);
  const gradAbs = (name: string): number => {
    const p = model.namedParameters().find(([n]) => n === name);
    assert.ok(p, `parameter ${name}`);
    return Array.from(p[1].grad?.toArray() ?? []).reduce((s, v) => s + Math.abs(v), 0);
  };
  for (const name of ['textPhonemeProjection.weight', 'melPhonemeProjection.weight', 'phonemeLogScale', 'textProjection.weight',
    'textEncoder.durationPredictor.out.weight', 'textEncoder.embedding.weight', 'melEncoder.inputProjection.weight']) {
    assert.ok(gradAbs(name) > 0, `${name} should get a gradient`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('tiny config trains: loss falls, retrieval beats chance, text encoder saves alone', async () => {
  const dir = syntheticFeatures(176, 32);
  const out = tempDir();
  try {
    const config = tinyConfig((c) => { c.training.validateEvery = 1000; c.training.logEvery = 10; c.training.warmupSteps = 5; });
    const r = await trainSpeechClip({ featuresDir: dir, outDir: out, config, maxSteps: 90, quiet: true });
    const log = readLog(out).filter((x) => x.kind === 'train');
    const first = Number(log[0]!.utterance), last = Number(log[log.length - 1]!.utterance);
    assert.ok(last < first * 0.6, `utterance InfoNCE should fall: ${log.map((x) => Number(x.utterance).toFixed(3)).join(' ')}`);
    assert.ok(r.retrieval, 'validation ran at the end');
    // 32 validation utterances: chance R@1 is 1/32 ≈ 3 %.
    assert.ok(r.retrieval.t2m_r1 >= 0.25 && r.retrieval.m2t_r1 >= 0.25, `retrieval ${JSON.stringify(r.retrieval)}`);
    for (const f of ['checkpoint.safetensors', 'checkpoint.json', 'loss.png', 'similarity.png', 'text-encoder.safetensors']) assert.ok(existsSync(join(out, f)), f);
    // Handover: the text encoder rebuilds from its own file and config, and gives the same states.
    const ck = await loadCheckpoint(join(out, 'text-encoder.safetensors'));
    const teConfig = ck.config as TextEncoderConfig & { kind: string };
    assert.equal(teConfig.kind, 'speech-clip-text-encoder');
    const fresh = new TextEncoder(teConfig);
    await loadInto(fresh, join(out, 'text-encoder.safetensors'));
    const { model } = await (await import('../../src/models/speech-clip/evaluate.js')).loadSpeechClip(out);
    fresh.eval();
    const same = tidy(() => noGrad(() => {
      const ids = tensor([3, 4, 5, 0], [1, 4], 'int32'), mask = tensor([1, 1, 1, 0], [1, 4]);
      const a = fresh.forward(ids, mask).states.toArray(), b = model.textEncoder.forward(ids, mask).states.toArray();
      return Array.from(a).every((v, i) => v === b[i]);
    }));
    assert.ok(same, 'standalone text encoder must equal the trained one');
    const again = await evaluateRetrieval(model, dir);
    assert.deepEqual({ ...retrievalMetrics(again.similarity, again.n) }, { t2m_r1: again.t2m_r1, t2m_r5: again.t2m_r5, m2t_r1: again.m2t_r1, m2t_r5: again.m2t_r5, n: 32 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('train-clip CLI: a run killed mid-way resumes to the uninterrupted result; eval-clip prints the JSON line', async () => {
  const dir = syntheticFeatures(56, 16);
  const straight = tempDir(), killed = tempDir();
  const cfgPath = join(straight, '..', `clip-cfg-${process.pid}.json`);
  writeFileSync(cfgPath, JSON.stringify({ preset: 'tiny', training: { logEvery: 1, checkpointEvery: 3, validateEvery: 100 } }));
  try {
    const common = ['train-clip', dir, '--config', cfgPath, '--max-steps', '15', '--threads', '1', '--quiet'];
    let r = cli([...common, '--out', straight]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /15 steps \(from 0\)/);
    // Kill -9 once a checkpoint exists and training has gone past it.
    const child = spawn(process.execPath, [MAIN, ...common, '--out', killed], { stdio: 'ignore' });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    for (;;) {
      const steps = readLog(killed).filter((x) => x.kind === 'train').map((x) => Number(x.step));
      if (steps.some((s) => s >= 4) || child.exitCode !== null) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    child.kill('SIGKILL');
    await exited;
    r = cli([...common, '--out', killed]);
    assert.notEqual(r.status, 0, 'an existing run without --resume must be refused');
    assert.match(r.stderr, /--resume/);
    r = cli([...common, '--out', killed, '--resume']);
    assert.equal(r.status, 0, r.stderr);
    const weights = async (d: string): Promise<number[]> => {
      const ck = await loadCheckpoint(join(d, 'checkpoint.safetensors'));
      return [...ck.tensors].filter(([k]) => k.startsWith('model.')).sort(([a], [b]) => a.localeCompare(b)).flatMap(([, t]) => Array.from(t.toArray()));
    };
    assert.ok(readLog(killed).some((x) => x.kind === 'resume' && Number(x.step) > 0 && Number(x.step) < 15), 'the second process resumed mid-run');
    assert.deepEqual(await weights(killed), await weights(straight), 'resumed weights must equal the uninterrupted run');
    const e = cli(['eval-clip', straight, dir, '--threads', '1']);
    assert.equal(e.status, 0, e.stderr);
    const lines = e.stdout.trim().split('\n');
    const json = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    assert.deepEqual(Object.keys(json), ['t2m_r1', 't2m_r5', 'm2t_r1', 'm2t_r5', 'n']);
    assert.equal(json.n, 16);
    assert.match(e.stdout, /text→mel/);
  } finally {
    for (const d of [dir, straight, killed]) rmSync(d, { recursive: true, force: true });
    rmSync(cfgPath, { force: true });
  }
});

test('train-clip CLI: usage errors', () => {
  const r = cli(['train-clip', '/nonexistent']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--out/);
  const h = cli(['eval-clip', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /t2m_r1/);
});
