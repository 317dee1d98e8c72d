import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, shutdownEngine } from '../../src/engine/index.js';
import { loadCheckpoint } from '../../src/engine/node.js';
import { readLog } from '../../src/train/trainer.js';
import { acousticPreset, parseAcousticConfig } from '../../src/models/acoustic/config.js';
import { bucketize, phonemeProsody } from '../../src/models/acoustic/prosody.js';
import { trainAcoustic } from '../../src/models/acoustic/train.js';
import { AcousticSynthesizer, exportAcoustic } from '../../src/models/acoustic/synthesizer.js';
import { evaluateAcoustic, formatGroups } from '../../src/models/acoustic/evaluate.js';
import { trainSpeechClip } from '../../src/models/speech-clip/train.js';
import { presetConfig } from '../../src/models/speech-clip/config.js';
import { syntheticFeatures } from '../helpers/synthetic-features.js';
import { writeTinyRuns } from '../helpers/tiny-voice.js';
import { FeatureLoader } from '../../src/data/loader.js';
import { decodeNpy } from '../../src/audio/npy.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

before(async () => { await initEngine({ threads: 1 }); });
after(async () => { await shutdownEngine(); });

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'cliptts-am-'));

test('config: presets validate, overrides apply, bad fields are named', () => {
  for (const p of ['tiny', 'small', 'base'] as const) assert.equal(parseAcousticConfig({ preset: p }).preset, p);
  assert.equal(parseAcousticConfig({ preset: 'tiny', model: { decoder: { layers: 3 } } }).model.decoder.layers, 3);
  assert.throws(() => parseAcousticConfig({ preset: 'tiny', model: { decoderLayers: 3 } }), /unknown config field "model.decoderLayers"/);
  assert.throws(() => parseAcousticConfig({ preset: 'tiny', model: { decoder: { heads: 3 } } }), /model.decoder.heads \(3\) must divide/);
  assert.throws(() => parseAcousticConfig({ preset: 'huge' }), /unknown preset "huge"/);
  assert.throws(() => parseAcousticConfig({ preset: 'tiny', training: { emaDecay: 1 } }), /training.emaDecay/);
});

test('prosody: phoneme means of voiced ln F0 (gaps interpolated) and energy, z-scored; bucketize clamps', () => {
  // Two phonemes voiced at 100 and 400 Hz around an unvoiced one, then a zero-frame phoneme.
  const pitch = Float32Array.of(100, 100, 0, 0, 400, 400);
  const energy = Float32Array.of(1, 3, 2, 2, 5, 5);
  const durations = Int32Array.of(2, 2, 2, 0);
  const stats = { logPitch: { mean: Math.log(200), std: 0.5 }, energy: { mean: 2, std: 2 } };
  const p = phonemeProsody(pitch, energy, durations, Int32Array.of(4), 4, 6, stats);
  const z = (hz: number): number => (Math.log(hz) - Math.log(200)) / 0.5;
  const expect = [z(100), (z(100) + z(400)) / 2, z(400), z(400)];
  p.pitch.forEach((v, i) => assert.ok(Math.abs(v - expect[i]!) < 1e-5, `pitch[${i}] ${v} vs ${expect[i]}`));
  assert.deepEqual(Array.from(p.energy.subarray(0, 3)), [0, 0, 1.5]);
  assert.equal(p.energy[3], -3, 'a zero-frame phoneme gets the silence energy');
  assert.deepEqual(Array.from(bucketize(Float32Array.of(-10, -4, 0, 3.99, 10), 8, -4, 4)), [0, 0, 4, 7, 7]);
});

test("tiny overfits 8 utterances: postnet mel L1 below 0.2 (from ~2) and durations/pitch/energy learned", async () => {
  const feat = syntheticFeatures({ count: 10, valCount: 2 });
  const out = tempDir();
  try {
    const config = acousticPreset('tiny');
    config.training.totalSteps = 400;
    const r = await trainAcoustic({ featuresDir: feat, outDir: out, config, maxSteps: 400, quiet: true });
    const log = readLog(out).filter((x) => x.kind === 'train');
    const first = log[0]!, last = log[log.length - 1]!;
    assert.ok(Number(first.postnet) > 1, `initial postnet L1 ${first.postnet}`);
    assert.ok(Number(last.postnet) < 0.2, `final postnet mel L1 ${last.postnet}`);
    assert.ok(Number(last.duration) < 0.05, `final log-duration MSE ${last.duration}`);
    assert.ok(Number(last.pitch) < 0.1 && Number(last.energy) < 0.1, `pitch ${last.pitch} / energy ${last.energy} MSE`);
    assert.ok(r.validation && Number.isFinite(r.validation.postnet), 'validation ran');
    // The duration calibration (real / predicted frames) is measured at validation and saved with the run.
    const calibration = r.config.data.durationCalibration ?? NaN;
    assert.ok(calibration > 0.5 && calibration < 2.5 && r.validation.durationCalibration === calibration, `calibration ${calibration}`);
    assert.equal((JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')) as { data: { durationCalibration?: number } }).data.durationCalibration, calibration);
    assert.ok(existsSync(join(out, 'mel.png')) && existsSync(join(out, 'loss.png')));

    // Inference: the exported file reproduces the run's (EMA-less) weights; controls act on durations.
    const exported = join(out, 'acoustic.safetensors');
    const info = await exportAcoustic(out, exported);
    assert.ok(info.parameters > 1000 && info.bytes > info.parameters * 4);
    const fromRun = await AcousticSynthesizer.load(out);
    const fromFile = await AcousticSynthesizer.load(exported);
    const ids = fromFile.symbols.encode(['p3', 'p7', 'p11', 'p2']);
    const a = fromRun.infer(ids), b = fromFile.infer(ids);
    assert.deepEqual(Array.from(a.durations), Array.from(b.durations));
    assert.deepEqual(Array.from(a.mel), Array.from(b.mel));
    assert.equal(a.mel.length, a.frames * 80);
    assert.equal(a.durations.reduce((x, y) => x + y, 0), a.frames);
    // Learned durations: every phoneme lasts 2-5 frames in the data.
    for (const d of a.durations) assert.ok(d >= 1 && d <= 6, `predicted duration ${d}`);
    const fast = fromFile.infer(ids, { speed: 2 });
    assert.ok(fast.frames <= Math.ceil(a.frames / 2) + 2 && fast.frames >= Math.floor(a.frames / 2) - 2, `speed 2: ${fast.frames} frames vs ${a.frames}`);
    const forced = fromFile.infer(ids, { durations: [3, -1, 0, 7] });
    assert.equal(forced.durations[0], 3);
    assert.equal(forced.durations[1], a.durations[1]);
    assert.deepEqual([forced.durations[2], forced.durations[3]], [0, 7]);
    const higher = fromFile.infer(ids, { pitchShift: 12, energyScale: 1.5 });
    assert.notDeepEqual(Array.from(higher.mel), Array.from(a.mel), 'pitch/energy controls change the mel');
    assert.throws(() => fromFile.infer(ids, { speed: 0 }), /speed must be a positive number/);
    assert.throws(() => fromFile.infer(ids, { speaker: 1 }), /speaker id 1 is out of range/);
    assert.throws(() => fromFile.infer(new Int32Array(0)), /no phonemes/);
    assert.throws(() => fromFile.infer(Int32Array.of(999)), /outside the symbol table/);
    fromRun.dispose(); fromFile.dispose();

    // clip-tts eval-acoustic: losses, one wav per validation utterance, the JSON report.
    const { vocoderRun } = await writeTinyRuns(join(out, 'tiny'));
    const wavs = join(out, 'wavs'), json = join(out, 'eval.json');
    const r2 = spawnSync(process.execPath, [MAIN, 'eval-acoustic', feat, '--acoustic', exported, '--vocoder', vocoderRun, '--out', wavs, '--json', json, '--threads', '1', '--quiet'], { encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(r2.stdout, /2 val utterances; teacher-forced: loss [\d.]+, mel [\d.]+, postnet [\d.]+/);
    assert.deepEqual(readdirSync(wavs).sort(), ['s000.wav', 's001.wav']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { items: { modelFrames: number }[] };
    assert.equal(report.items.length, 2);
    // clip-tts predict-mels: teacher-forced mels with each recording's exact frame count, close to it.
    const gta = join(out, 'gta');
    const r3 = spawnSync(process.execPath, [MAIN, 'predict-mels', feat, '--acoustic', out, '--out', gta, '--threads', '1', '--quiet'], { encoding: 'utf8' });
    assert.equal(r3.status, 0, r3.stderr);
    assert.match(r3.stdout, /^10 teacher-forced mels/);
    assert.equal(readdirSync(gta).length, 10);
    const loader = FeatureLoader.open(feat, { split: 'train' });
    const item = await loader.readItem(0);
    const npy = decodeNpy(readFileSync(join(gta, `${item.header.id}.npy`)));
    assert.deepEqual(npy.shape, [80, item.header.frames]);
    let err = 0;
    for (let f = 0; f < item.header.frames; f++) for (let k = 0; k < 80; k++) err += Math.abs(Number(npy.data[k * item.header.frames + f]) - item.mel[f * 80 + k]!);
    assert.ok(err / (80 * item.header.frames) < 0.3, `teacher-forced mel L1 ${err / (80 * item.header.frames)}`);
    const bad = spawnSync(process.execPath, [MAIN, 'eval-acoustic', feat, '--acoustic', exported, '--out', wavs], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--out needs --vocoder/);
  } finally {
    rmSync(feat, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test('speaker and emotion embeddings: used when the manifest has them; ids change the output', async () => {
  const feat = syntheticFeatures({ count: 18, valCount: 2, speakers: ['a', 'b'], emotions: ['calm', 'slow'] });
  const out = tempDir();
  try {
    const config = acousticPreset('tiny');
    const r = await trainAcoustic({ featuresDir: feat, outDir: out, config, maxSteps: 400, quiet: true });
    assert.deepEqual(r.config.data.speakers, ['a', 'b']);
    assert.deepEqual(r.config.data.emotions, ['calm', 'slow']);
    const am = await AcousticSynthesizer.load(out);
    assert.deepEqual([...am.speakers], ['a', 'b']);
    const ids = am.symbols.encode(['p3', 'p7', 'p11', 'p2', 'p9']);
    const a = am.infer(ids, { speaker: 0 }), b = am.infer(ids, { speaker: 1 });
    assert.notDeepEqual(Array.from(a.mel.subarray(0, 80)), Array.from(b.mel.subarray(0, 80)));
    // Emotion "slow" adds two frames to every phoneme in the data: the model must speak it slower.
    const calm = am.infer(ids, { emotion: 0 }), slow = am.infer(ids, { emotion: 1 });
    assert.ok(slow.frames > calm.frames, `slow ${slow.frames} frames vs calm ${calm.frames}`);
    assert.throws(() => am.infer(ids, { emotion: 2 }), /emotion id 2 is out of range: 0–1 \(calm, slow\)/);
    // The evaluation groups by speaker and emotion; the training split here (sentences it saw).
    const report = await evaluateAcoustic({ featuresDir: feat, acoustic: am, split: 'train' });
    assert.deepEqual(report.bySpeaker.map((g) => g.group), ['a', 'b']);
    const rate = Object.fromEntries(report.byEmotion.map((g) => [g.group, g]));
    assert.ok(rate.slow!.teacherRate < rate.calm!.teacherRate && rate.slow!.modelRate < rate.calm!.modelRate, JSON.stringify(report.byEmotion));
    assert.ok(Math.abs(rate.slow!.rateError) < 0.2 && Math.abs(rate.calm!.rateError) < 0.2, formatGroups('emotion', report.byEmotion));
    assert.ok(Number.isFinite(report.losses.postnet) && report.items.length === 16);
    am.dispose();
  } finally {
    rmSync(feat, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test('--init-clip: the text encoder starts from the Speech-Clip checkpoint (shape taken from it)', async () => {
  const feat = syntheticFeatures({ count: 10, valCount: 2 });
  const clip = tempDir(), out = tempDir();
  try {
    const clipConfig = presetConfig('tiny');
    clipConfig.training.batchSize = 4;
    const c = await trainSpeechClip({ featuresDir: feat, outDir: clip, config: clipConfig, maxSteps: 5, quiet: true });
    const config = acousticPreset('tiny');
    config.model.textEncoder.dim = 64; // replaced by the checkpoint's 32
    const r = await trainAcoustic({ featuresDir: feat, outDir: out, config, initClip: clip, maxSteps: 1, quiet: true });
    assert.equal(r.config.model.textEncoder.dim, clipConfig.model.dim);
    assert.match(r.config.textEncoderInit, /^speech-clip:/);
    // After one step at a small LR the embedding is still close to the Speech-Clip one, and far from a fresh init.
    const clipTensors = (await loadCheckpoint(c.textEncoderPath)).tensors;
    const run = (await loadCheckpoint(join(out, 'checkpoint.safetensors'))).tensors;
    const e0 = clipTensors.get('embedding.weight')!.toFloat32Array(), e1 = run.get('model.textEncoder.embedding.weight')!.toFloat32Array();
    let diff = 0;
    for (let i = 0; i < e0.length; i++) diff = Math.max(diff, Math.abs(e0[i]! - e1[i]!));
    assert.ok(diff < 0.01, `embedding moved ${diff} in one step`);
    await assert.rejects(trainAcoustic({ featuresDir: feat, outDir: tempDir(), config, initClip: join(clip, 'nope.safetensors'), maxSteps: 1, quiet: true }), /no Speech-Clip text encoder/);
    // The auxiliary contrastive term: scored by the frozen Speech-Clip mel side, logged as "clip".
    const withAux = acousticPreset('tiny');
    withAux.loss.clipWeight = 0.1;
    withAux.training.logEvery = 1;
    const aux = tempDir();
    try {
      await trainAcoustic({ featuresDir: feat, outDir: aux, config: withAux, initClip: clip, maxSteps: 3, quiet: true });
      const rec = readLog(aux).filter((x) => x.kind === 'train');
      assert.ok(rec.length === 3 && rec.every((x) => Number.isFinite(Number(x.clip)) && Number(x.clip) > 0), 'the clip term is computed every step');
      await assert.rejects(trainAcoustic({ featuresDir: feat, outDir: tempDir(), config: withAux, initClip: c.textEncoderPath, maxSteps: 1, quiet: true }), /needs --init-clip to be a train-clip run folder/);
    } finally {
      rmSync(aux, { recursive: true, force: true });
    }
  } finally {
    for (const d of [feat, clip, out]) rmSync(d, { recursive: true, force: true });
  }
});

test('clip-tts train: a run killed with SIGKILL resumes to the uninterrupted result', async () => {
  const feat = syntheticFeatures({ count: 10, valCount: 2 });
  const straight = tempDir(), killed = tempDir();
  const cli = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  // 'tiny' checkpoints every 50 steps; a config file makes them frequent enough to kill between.
  const cfg = join(feat, 'am-config.json');
  writeFileSync(cfg, JSON.stringify({ preset: 'tiny', training: { checkpointEvery: 4 } }));
  const withCfg = (out: string): string[] => ['train', feat, '--config', cfg, '--max-steps', '16', '--threads', '1', '--quiet', '--out', out];
  try {
    let r = cli(withCfg(straight));
    assert.equal(r.status, 0, String(r.stderr));
    const child = spawn(process.execPath, [MAIN, ...withCfg(killed)], { stdio: 'ignore' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const steps = readLog(killed).filter((x) => x.kind === 'train').map((x) => Number(x.step));
        if (existsSync(join(killed, 'checkpoint.safetensors')) && steps.some((s) => s >= 8)) { clearInterval(poll); resolve(); }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    r = cli(withCfg(killed));
    assert.notEqual(r.status, 0, 'an existing run without --resume must be refused');
    assert.match(String(r.stderr), /--resume/);
    r = cli([...withCfg(killed), '--resume']);
    assert.equal(r.status, 0, String(r.stderr));
    assert.ok(readLog(killed).some((x) => x.kind === 'resume' && Number(x.step) > 0 && Number(x.step) < 16), 'the second process resumed mid-run');
    const weights = async (dir: string): Promise<number[]> => {
      const t = (await loadCheckpoint(join(dir, 'checkpoint.safetensors'))).tensors;
      return [...t.entries()].filter(([k]) => k.startsWith('model.')).sort(([a], [b]) => a.localeCompare(b)).flatMap(([, v]) => Array.from(v.toFloat32Array()));
    };
    assert.deepEqual(await weights(killed), await weights(straight), 'resumed weights must equal the uninterrupted run');
    // --schedule-steps re-plans a resumed run's learning-rate schedule (saved in its config); a plain
    // --resume keeps the saved one even when --max-steps grows.
    const totalSteps = (): number => (JSON.parse(readFileSync(join(killed, 'checkpoint.json'), 'utf8')) as { training: { totalSteps: number } }).training.totalSteps;
    assert.equal(totalSteps(), 16);
    r = cli(['train', feat, '--out', killed, '--resume', '--max-steps', '18', '--schedule-steps', '40', '--threads', '1', '--quiet']);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(totalSteps(), 40);
    r = cli(['train', feat, '--out', killed, '--resume', '--max-steps', '20', '--threads', '1', '--quiet']);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(totalSteps(), 40);
    r = cli(['train', feat, '--config', 'tiny', '--out', join(killed, 'x'), '--max-steps', '0']);
    assert.notEqual(r.status, 0);
    assert.match(String(r.stderr), /--max-steps must be a positive integer/);
  } finally {
    for (const d of [feat, straight, killed]) rmSync(d, { recursive: true, force: true });
  }
});
