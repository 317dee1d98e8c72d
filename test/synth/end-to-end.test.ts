// The real pipeline end to end with a tiny randomly initialised voice (test/helpers/tiny-voice.ts):
// loading by folder, name and URL, synthesis, streaming, timings, options, export from runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { decodeSafetensors } from '../../src/engine/safetensors.js';
import { ClipTTS, exportVoice, readVoiceConfig, type SynthesisChunk } from '../../src/index.js';
import { writeTinyRuns, writeTinyVoice } from '../helpers/tiny-voice.js';

const tmp = mkdtempSync(join(tmpdir(), 'clip-tts-e2e-'));
let voiceDir = '';
before(async () => {
  await initEngine();
  voiceDir = writeTinyVoice(tmp, 'tiny');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const TEXT = 'Hello world. This is a test!';
const HOP = 256, SR = 22050;

test('a voice folder loads and speaks: audio, timings and stream chunks agree', async () => {
  const tts = await ClipTTS.load(voiceDir);
  try {
    assert.equal(tts.voice?.name, 'tiny');
    assert.equal(tts.sampleRate, SR);
    const r = await tts.synthesize(TEXT);
    assert.ok(r.audio.length > 0 && r.audio.every(Number.isFinite));
    assert.ok(r.audio.some((x) => x !== 0));
    assert.deepEqual(r.words.map((w) => w.word), ['Hello', 'world', 'This', 'is', 'a', 'test']);
    assert.deepEqual(r.phonemes.map((p) => p.symbol).join(' '), 'HH AH0 L OW1 W ER1 L D . DH IH1 S IH1 Z AH0 T EH1 S T !');
    // Phonemes tile each sentence in frame steps, between the leading and trailing silence.
    for (const p of r.phonemes) {
      const frames = ((p.end - p.start) * SR) / HOP;
      assert.ok(frames >= 0 && Math.abs(frames - Math.round(frames)) < 1e-6, `${p.symbol}: ${frames} frames`);
    }
    for (let i = 1; i < r.phonemes.length; i++) if (i !== 9) assert.ok(Math.abs(r.phonemes[i]!.start - r.phonemes[i - 1]!.end) < 1e-9);
    const edge = Math.round(0.15 * SR) / SR;
    assert.ok(Math.abs(r.phonemes[0]!.start - edge) < 1e-9, 'speech starts after the leading silence');
    assert.ok(Math.abs(r.phonemes.at(-1)!.end - (r.duration - edge)) < 1e-9, 'the trailing silence follows the last phoneme');
    const gap = r.phonemes[9]!.start - r.phonemes[8]!.end;
    assert.ok(Math.abs(gap - Math.round(0.2 * SR) / SR) < 1e-9, `sentence gap ${gap}`);
    // Streaming gives the same samples (inference is deterministic).
    const chunks: SynthesisChunk[] = [];
    for await (const c of tts.stream(TEXT)) chunks.push(c);
    assert.deepEqual(chunks.map((c) => c.text), ['Hello world.', 'This is a test!']);
    const joined = new Float32Array(r.audio.length);
    let at = 0;
    for (const c of chunks) { joined.set(c.audio, at); at += c.audio.length; }
    assert.equal(at, r.audio.length);
    assert.deepEqual(joined, r.audio);
    // Faster speech is shorter.
    const fast = await tts.synthesize(TEXT, { speed: 2 });
    assert.ok(fast.audio.length < r.audio.length, `${fast.audio.length} vs ${r.audio.length}`);
    await assert.rejects(async () => tts.synthesize(TEXT, { speaker: 'alice' }), /unknown speaker "alice": allowed nothing: this voice has no speakers/);
  } finally {
    tts.dispose();
  }
});

test('voices load by name from voiceDirs, and from an http URL', async () => {
  const byName = await ClipTTS.load('tiny', { voiceDirs: [tmp] });
  const local = (await byName.synthesize('Hi there.')).audio;
  byName.dispose();
  const server = createServer((req, res) => {
    const m = /^\/v\/tiny\/([\w.-]+)$/.exec(req.url ?? '');
    try { res.end(readFileSync(join(voiceDir, m![1]!))); } catch { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const remote = await ClipTTS.load(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v/tiny/`);
    assert.deepEqual((await remote.synthesize('Hi there.')).audio, local);
    remote.dispose();
  } finally {
    server.close();
  }
});

test('multi-speaker voice: speakers by name or index; unknown names list the allowed ones', async () => {
  const dir = writeTinyVoice(tmp, 'duo', { speakers: ['alice', 'bob'] });
  const tts = await ClipTTS.load(dir);
  try {
    assert.deepEqual(tts.speakers, ['alice', 'bob']);
    const a = await tts.synthesize('Good morning.', { speaker: 'bob' });
    const b = await tts.synthesize('Good morning.', { speaker: 1 });
    assert.deepEqual(a.audio, b.audio);
    await assert.rejects(async () => tts.synthesize('Good morning.', { speaker: 'carol' }), /unknown speaker "carol": allowed one of "alice", "bob" \(or an index 0\.\.1\)/);
  } finally {
    tts.dispose();
  }
});

test('load errors name the voice file and the problem', async () => {
  const dir = writeTinyVoice(tmp, 'wrong-rate');
  const cfg = JSON.parse(readFileSync(join(dir, 'voice.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'voice.json'), JSON.stringify({ ...cfg, sampleRate: 16000 }));
  await assert.rejects(ClipTTS.load(dir), /wrong-rate\/voice\.json: "sampleRate" is 16000 but vocoder\.safetensors produces 22050 Hz/);
  writeFileSync(join(dir, 'voice.json'), JSON.stringify({ ...cfg, vocoder: 'gone.safetensors' }));
  await assert.rejects(ClipTTS.load(dir), /its vocoder file gone\.safetensors is missing/);
  await assert.rejects(ClipTTS.load('no-such-voice', { voiceDirs: [tmp] }), /no voice named "no-such-voice".*available: .*tiny/);
  await assert.rejects(ClipTTS.load(voiceDir, { threads: 0 }), /threads must be a positive integer/);
});

test('exportVoice: training runs → a voice folder with inference weights only, provenance, and it speaks', async () => {
  const runs = await writeTinyRuns(join(tmp, 'runs'));
  const out = join(tmp, 'exported');
  const r = await exportVoice({ acoustic: runs.acousticRun, vocoder: runs.vocoderRun, outDir: out, name: 'exported', description: 'test', license: 'CC0' });
  const config = readVoiceConfig(out);
  assert.deepEqual(config, r.config);
  assert.equal(config.sampleRate, 22050);
  assert.equal(config.training?.acousticStep, 7);
  assert.equal(config.training?.vocoderStep, 7);
  const voc = decodeSafetensors(readFileSync(join(out, 'vocoder.safetensors')));
  assert.ok([...voc.tensors.keys()].every((k) => !k.startsWith('model.') && !k.startsWith('optimizer.') && !k.includes('discriminator')));
  assert.equal(r.bytes.total, [config.acoustic, config.vocoder, 'voice.json'].reduce((n, f) => n + readFileSync(join(out, f)).length, 0));
  const tts = await ClipTTS.load(out);
  const fromRuns = await tts.synthesize(TEXT);
  tts.dispose();
  // Same weights as the folder written directly with the same seed.
  const direct = await ClipTTS.load(voiceDir);
  assert.deepEqual(fromRuns.audio, (await direct.synthesize(TEXT)).audio);
  direct.dispose();
});
