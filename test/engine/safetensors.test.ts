// safetensors codec (spec conformance, Python interop, errors) and atomic checkpoint files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initEngine, manualSeed, tensor, encodeSafetensors, decodeSafetensors, loadSafetensorsInto,
  Linear, LayerNorm, FFTBlock, Module, type RawTensor,
} from '../../src/engine/index.js';
import { saveCheckpoint, loadCheckpoint, loadInto, writeFileAtomic, configPathFor } from '../../src/engine/node.js';

const PYTHON = '/usr/bin/python3';
const PY_SCRIPT = 'scripts/fixtures/make-safetensors-fixture.py';
let dir = '';

before(async () => {
  await initEngine({ threads: 1 });
  manualSeed(3);
  dir = mkdtempSync(join(tmpdir(), 'clip-tts-st-'));
});
after(() => { rmSync(dir, { recursive: true, force: true }); });

class Tiny extends Module {
  readonly proj: Linear;
  readonly norm: LayerNorm;
  constructor() {
    super();
    this.proj = this.module('proj', new Linear(3, 2));
    this.norm = this.module('norm', new LayerNorm(2));
  }
}

function sample(): Map<string, RawTensor> {
  return new Map<string, RawTensor>([
    ['b.weight', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-20, -Infinity]) }],
    ['a.ids', { dtype: 'I32', shape: [4], data: Int32Array.from([0, -1, 2147483647, -2147483648]) }],
    ['a.scalar', { dtype: 'F32', shape: [], data: Float32Array.from([0.25]) }],
    ['z.empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
  ]);
}

test('round trip: values, shapes, dtypes, metadata; header layout per spec', () => {
  const bytes = encodeSafetensors(sample(), { step: '10', note: 'ünïcode' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0, 'header padded to 8 bytes');
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.match(headerText, /^\{"__metadata__":\{"note":"ünïcode","step":"10"\},/);
  assert.match(headerText, / *$/);
  const header = JSON.parse(headerText) as Record<string, { data_offsets: [number, number] }>;
  // Reference layout: F32 before I32, then by name; offsets tile the buffer.
  assert.deepEqual(Object.keys(header).slice(1), ['a.scalar', 'b.weight', 'z.empty', 'a.ids']);
  assert.deepEqual(header['a.scalar']!.data_offsets, [0, 4]);
  assert.deepEqual(header['a.ids']!.data_offsets, [28, 44]);
  assert.equal(bytes.length, 8 + n + 44);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { note: 'ünïcode', step: '10' });
  for (const [name, t] of sample()) {
    const got = tensors.get(name)!;
    assert.equal(got.dtype, t.dtype, name);
    assert.deepEqual(got.shape, t.shape, name);
    assert.deepEqual(Array.from(got.data), Array.from(t.data), name);
  }
  // Unaligned input views work too.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.deepEqual(Array.from(decodeSafetensors(shifted.subarray(3)).tensors.get('b.weight')!.data), Array.from(sample().get('b.weight')!.data));
});

test('round trip of a module state dict through engine Tensors', () => {
  const a = new Tiny(), b = new Tiny();
  const report = loadSafetensorsInto(b, encodeSafetensors(a.stateDict()));
  assert.deepEqual(report.loaded.sort(), ['norm.bias', 'norm.weight', 'proj.bias', 'proj.weight']);
  for (const [name, t] of a.stateDict()) assert.deepEqual(b.stateDict().get(name)!.toArray(), t.toArray());
});

test('reads the Python-written fixture (torch values, hand-laid bytes) with dtype conversion', () => {
  const bytes = readFileSync('fixtures/engine/python-written.safetensors');
  const expected = JSON.parse(readFileSync('fixtures/engine/python-written.json', 'utf8')) as {
    metadata: Record<string, string>; tensors: Record<string, { sourceDtype: string; shape: number[]; values: number[] }>;
  };
  const { tensors, metadata } = decodeSafetensors(bytes, { source: 'python-written.safetensors' });
  assert.deepEqual(metadata, expected.metadata);
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(expected.tensors).sort());
  for (const [name, want] of Object.entries(expected.tensors)) {
    const got = tensors.get(name)!;
    assert.equal(got.sourceDtype, want.sourceDtype, name);
    assert.deepEqual(got.shape, want.shape, name);
    assert.deepEqual(Array.from(got.data), want.values.map((v) => (got.dtype === 'F32' ? Math.fround(v) : v)), name);
  }
});

test('our writer output is parsed by the independent Python reader', (t) => {
  if (!existsSync(PYTHON)) { t.skip(`${PYTHON} not available`); return; }
  const file = join(dir, 'js-written.safetensors');
  writeFileSync(file, encodeSafetensors(sample(), { producer: 'clip-tts' }));
  const r = spawnSync(PYTHON, [PY_SCRIPT, '--read', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // Python's json writes bare Infinity/NaN tokens: quote them, then turn them back into numbers.
  const parsed = JSON.parse(r.stdout.replace(/-?Infinity|NaN/g, (m) => `"${m}"`)) as {
    metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
  };
  assert.deepEqual(parsed.metadata, { producer: 'clip-tts' });
  for (const [name, want] of sample()) {
    const got = parsed.tensors[name]!;
    assert.equal(got.dtype, want.dtype);
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(got.values.map(Number), Array.from(want.data), name);
  }
});

function withHeader(header: object, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

test('clear errors: truncated, bad JSON, unknown dtype, overlap, gap, size mismatch', () => {
  const good = encodeSafetensors(sample());
  const src = { source: 'model.safetensors' };
  assert.throws(() => decodeSafetensors(good.subarray(0, 5), src), /model\.safetensors: truncated file: 5 bytes/);
  assert.throws(() => decodeSafetensors(good.subarray(0, 20), src), /model\.safetensors: truncated file: header needs/);
  assert.throws(() => decodeSafetensors(good.subarray(0, good.length - 8), src), /model\.safetensors: tensor "a\.ids": data_offsets \[28, 44\] run past the end of the data \(36 bytes\): truncated file/);
  const bad = withHeader({}, 0);
  bad[9] = 0x3a; // "{:" is not JSON
  assert.throws(() => decodeSafetensors(bad, src), /model\.safetensors: bad JSON header/);
  assert.throws(() => decodeSafetensors(withHeader({ w: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, 4), src), /tensor "w" has unsupported dtype "Q7"/);
  assert.throws(() => decodeSafetensors(withHeader({
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
  }, 12), src), /tensor "b": data_offsets \[4, 12\] overlap tensor "a"/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), src), /tensor "a": gap of 4 bytes/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), src), /tensor "a": data_offsets \[0, 8\] hold 8 bytes, but F32 \[3\] needs 12/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), src), /4 unexpected bytes after the last tensor/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), src), /tensor "a" has invalid shape/);
  assert.throws(() => decodeSafetensors(withHeader({ __metadata__: { k: 1 } }, 0), src), /metadata "k" is not a string/);
  assert.throws(() => encodeSafetensors(new Map([['x', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])), /tensor "x" has 2 values for shape \[3\]/);
});

test('loading into a module: wrong shape, wrong name (with hint), missing tensor; strict: false', () => {
  const m = new Tiny();
  const dict = new Map(m.stateDict());
  const src = { source: 'ckpt.safetensors' };
  const wrongShape = new Map(dict);
  wrongShape.set('proj.weight', tensor(new Float32Array(6), [3, 2]));
  assert.throws(() => loadSafetensorsInto(m, encodeSafetensors(wrongShape), src), /ckpt\.safetensors into Tiny: tensor "proj\.weight" has shape \[3, 2\] in the file, the model expects \[2, 3\]/);
  const renamed = new Map(dict);
  renamed.set('proj.weights', renamed.get('proj.weight')!);
  renamed.delete('proj.weight');
  assert.throws(() => loadSafetensorsInto(m, encodeSafetensors(renamed), src), /missing tensor "proj\.weight" \[2, 3\]; unexpected tensor "proj\.weights" \(did you mean "proj\.weight"\?\)/);
  const missing = new Map(dict);
  missing.delete('norm.bias');
  const before = m.proj.weight.toArray();
  assert.throws(() => loadSafetensorsInto(m, encodeSafetensors(missing), src), /missing tensor "norm\.bias" \[2\]/);
  assert.deepEqual(m.proj.weight.toArray(), before, 'nothing is modified on error');
  const report = loadSafetensorsInto(m, encodeSafetensors(missing), { ...src, strict: false });
  assert.deepEqual(report.missing, ['norm.bias']);
  assert.deepEqual(report.unexpected, []);
});

test('saveCheckpoint writes .safetensors + .json atomically; loadCheckpoint/loadInto read them back', async () => {
  const m = new FFTBlock(8, 2, 16);
  const path = join(dir, 'run', 'step-100.safetensors');
  const config = { dim: 8, heads: 2, ffnDim: 16 };
  await saveCheckpoint(path, m, { config, metadata: { step: '100' } });
  assert.equal(configPathFor(path), join(dir, 'run', 'step-100.json'));
  assert.deepEqual(JSON.parse(readFileSync(configPathFor(path), 'utf8')), config);
  assert.deepEqual(readdirSync(join(dir, 'run')).sort(), ['step-100.json', 'step-100.safetensors'], 'no temp files left');
  const loaded = await loadCheckpoint(path);
  assert.deepEqual(loaded.config, config);
  assert.equal(loaded.metadata.step, '100');
  for (const [name, t] of m.stateDict()) assert.deepEqual(loaded.tensors.get(name)!.toArray(), t.toArray(), name);
  const fresh = new FFTBlock(8, 2, 16);
  const r = await loadInto(fresh, path);
  assert.equal(r.loaded.length, m.stateDict().size);
  assert.deepEqual(r.config, config);
  for (const [name, t] of m.stateDict()) assert.deepEqual(fresh.stateDict().get(name)!.toArray(), t.toArray(), name);
  // Without the .json beside it, the embedded config is used.
  rmSync(configPathFor(path));
  assert.deepEqual((await loadCheckpoint(path)).config, config);
  // Wrong model: errors name the file and the tensor.
  await assert.rejects(loadInto(new FFTBlock(8, 2, 32), path), (e: Error) => e.message.includes(path) && /tensor "conv1\.weight" has shape \[16, 8, 9\] in the file, the model expects \[32, 8, 9\]/.test(e.message));
});

test('a truncated checkpoint file is reported with its path', async () => {
  const path = join(dir, 'trunc.safetensors');
  await saveCheckpoint(path, new Tiny());
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 3));
  await assert.rejects(loadInto(new Tiny(), path), (e: Error) => e.message.startsWith(`safetensors ${path}:`) && /truncated file/.test(e.message));
  await assert.rejects(loadCheckpoint(join(dir, 'nope.safetensors')), /nope\.safetensors: cannot read/);
});

test('an interrupted write leaves the old file intact; a failed write cleans up its temp file', async () => {
  const path = join(dir, 'model.safetensors');
  const old = new Tiny();
  await saveCheckpoint(path, old);
  // Simulate a crash mid-save: the temp file was written but never renamed.
  writeFileSync(`${path}.tmp-99999-deadbeef`, encodeSafetensors(new Tiny().stateDict()).subarray(0, 17));
  const r = await loadCheckpoint(path);
  for (const [name, t] of old.stateDict()) assert.deepEqual(r.tensors.get(name)!.toArray(), t.toArray(), name);
  // A write that fails at rename (target is a non-empty directory) removes its temp file.
  const blocked = join(dir, 'blocked');
  mkdirSync(join(blocked, 'inside'), { recursive: true });
  await assert.rejects(writeFileAtomic(blocked, new Uint8Array([1, 2, 3])));
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('blocked.tmp-')), []);
});
