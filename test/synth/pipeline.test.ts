// The synthesis pipeline's logic (sentences, pieces, pauses, timings, prosody, options) with
// rule-based test doubles for the acoustic model and the vocoder (test/synth/doubles.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClipTTS, toWav } from '../../src/synth/index.js';
import type { SynthesisChunk } from '../../src/synth/index.js';
import { decodeWav } from '../../src/audio/wav.js';
import { SymbolTable } from '../../src/text/index.js';
import { LevelVocoderDouble, RuleAcousticDouble } from './doubles.js';

const SR = 22050, HOP = 256, FRAME = HOP / SR;
const GAP = Math.round(0.2 * SR);
/** Default silence before the first and after the last word. */
const EDGE = Math.round(0.15 * SR);

function pipeline(acoustic = new RuleAcousticDouble(), warnings: string[] = []): { tts: ClipTTS; acoustic: RuleAcousticDouble; warnings: string[] } {
  return { tts: new ClipTTS(acoustic, new LevelVocoderDouble(), { language: 'en', onWarning: (m) => warnings.push(m) }), acoustic, warnings };
}

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('synthesize: audio, phoneme and word timings follow the predicted durations; sentences are separated by 0.2 s', async () => {
  const { tts } = pipeline();
  const r = await tts.synthesize('Hello world. Second sentence here.');
  // Rule durations: vowels 6 frames, consonants 3, punctuation 8 → 41 and 71 frames; 0.15 s of
  // silence before and after, 0.2 s between the sentences.
  assert.equal(r.sampleRate, SR);
  assert.equal(r.audio.length, EDGE + 41 * HOP + GAP + 71 * HOP + EDGE);
  close(r.duration, r.audio.length / SR, 'duration');
  assert.deepEqual(r.phonemes.map((p) => p.symbol).join(' '), 'HH AH0 L OW1 W ER1 L D . S EH1 K AH0 N D S EH1 N T AH0 N S HH IY1 R .');
  assert.deepEqual(r.words.map((w) => w.word), ['Hello', 'world', 'Second', 'sentence', 'here']);
  const [hello, world, second, , here] = r.words;
  const s1 = EDGE / SR;
  close(hello!.start, s1, 'Hello start (after the leading silence)'); close(hello!.end, s1 + 18 * FRAME, 'Hello end');
  close(world!.start, s1 + 18 * FRAME, 'world start'); close(world!.end, s1 + 33 * FRAME, 'world end');
  const s2 = (EDGE + 41 * HOP + GAP) / SR;
  close(second!.start, s2, 'Second start (after the gap)');
  close(here!.end, s2 + 63 * FRAME, 'here end');
  close(r.phonemes.at(-1)!.end, r.duration - EDGE / SR, 'the trailing silence follows the last phoneme');
  // Source offsets of words in the input.
  assert.deepEqual([here!.textStart, here!.textEnd], [29, 33]);
  // The double vocoder gives 0.5 during speech and 0 in the silences.
  assert.equal(r.audio[0], 0);
  assert.equal(r.audio[EDGE], 0.5);
  assert.equal(r.audio[EDGE + 41 * HOP + 10], 0);
  assert.equal(r.audio[EDGE + 41 * HOP + GAP], 0.5);
  assert.equal(r.audio.at(-1), 0);
  // Both edges are options; 0 gives speech from the first to the last sample.
  const bare = await tts.synthesize('Hello world. Second sentence here.', { leadingSilence: 0, trailingSilence: 0 });
  assert.equal(bare.audio.length, 41 * HOP + GAP + 71 * HOP);
  close(bare.words[0]!.start, 0, 'Hello start without leading silence');
  assert.equal(bare.audio[0], 0.5);
  const wide = await tts.synthesize('Hello.', { leadingSilence: 1, trailingSilence: 0.5 });
  assert.equal(wide.audio.length, SR + (3 + 6 + 3 + 6 + 8) * HOP + Math.round(0.5 * SR));
  await assert.rejects(async () => tts.synthesize('Hi.', { leadingSilence: -0.1 }), /leadingSilence must be a number in \[0, 5\], got -0.1/);
  await assert.rejects(async () => tts.synthesize('Hi.', { trailingSilence: 6 }), /trailingSilence must be a number in \[0, 5\], got 6/);
});

test('stream: one chunk per sentence with its start; the chunks joined are synthesize()', async () => {
  const { tts, acoustic } = pipeline();
  const text = 'Hello world. Second sentence here. Third!';
  const chunks: SynthesisChunk[] = [];
  for await (const c of tts.stream(text)) chunks.push(c);
  assert.deepEqual(chunks.map((c) => [c.index, c.sentence, c.text]), [[0, 0, 'Hello world.'], [1, 1, 'Second sentence here.'], [2, 2, 'Third!']]);
  close(chunks[1]!.start, (EDGE + 41 * HOP) / SR, 'chunk 1 start');
  assert.equal(chunks[0]!.audio.length, EDGE + 41 * HOP, 'the first chunk opens with the leading silence');
  assert.equal(chunks[2]!.audio.length, GAP + (3 + 6 + 3 + 8) * HOP + EDGE, 'the last chunk ends with the trailing silence');
  assert.equal(chunks[1]!.audio.length, GAP + 71 * HOP);
  close(chunks[1]!.words[0]!.start, chunks[1]!.start + GAP / SR, 'first word of chunk 1 after the gap');
  const whole = await tts.synthesize(text);
  const joined = new Float32Array(chunks.reduce((n, c) => n + c.audio.length, 0));
  let at = 0;
  for (const c of chunks) { joined.set(c.audio, at); at += c.audio.length; }
  assert.deepEqual(joined, whole.audio);
  assert.deepEqual(chunks.flatMap((c) => c.words), whole.words);
  assert.equal(acoustic.calls.length, 6); // 3 sentences, twice
});

test('stream is lazy: breaking after the first chunk of a long text runs the models once', async () => {
  const { tts, acoustic } = pipeline();
  const text = 'This is a sentence of a very long book. '.repeat(5000);
  for await (const c of tts.stream(text)) { assert.equal(c.index, 0); break; }
  assert.equal(acoustic.calls.length, 1);
});

test('a long sentence is cut after commas into pieces, all in the same sentence', async () => {
  const { tts, acoustic } = pipeline();
  const text = 'When the morning train finally arrived at the station, the passengers gathered their heavy bags, ' +
    'walked slowly along the crowded platform, and looked for the friends who had promised to meet them there.';
  const chunks: SynthesisChunk[] = [];
  for await (const c of tts.stream(text)) chunks.push(c);
  assert.ok(chunks.length >= 2, `expected the sentence to be split, got ${chunks.length} chunk(s)`);
  assert.ok(chunks.every((c) => c.sentence === 0));
  assert.ok(chunks.slice(0, -1).every((c) => c.text.endsWith(',')), chunks.map((c) => c.text).join(' | '));
  assert.equal(chunks.map((c) => c.text).join(' '), text);
  for (const call of acoustic.calls) assert.ok(call.symbols.filter((s) => !/^[,.?!]$/.test(s)).length <= 50, `piece of ${call.symbols.length} symbols`);
  // No gap inside a sentence: each chunk starts where the previous ended.
  for (let i = 1; i < chunks.length; i++) close(chunks[i]!.start, chunks[i - 1]!.start + chunks[i - 1]!.audio.length / SR, `chunk ${i} start`);
  // Only the first sentence is cut that small (first audio early); a later one stays whole.
  const later = pipeline();
  const after: SynthesisChunk[] = [];
  for await (const c of later.tts.stream(`Hi. ${text}`)) after.push(c);
  assert.deepEqual(after.map((c) => c.sentence), [0, 1], after.map((c) => c.text).join(' | '));
});

test('options reach the acoustic model; bad options are clear errors naming the option', async () => {
  const { tts, acoustic } = pipeline(new RuleAcousticDouble(SymbolTable.default(), ['alice', 'bob'], ['neutral', 'happy']));
  const slow = await tts.synthesize('Hello.', { speed: 0.5, pitch: 3, pitchRange: 0.5, energy: 1.5, speaker: 'bob', emotion: 1 });
  assert.deepEqual(acoustic.calls[0]!.controls, { speed: 0.5, pitchShift: 3, pitchScale: 0.5, energyScale: 1.5, speaker: 1, emotion: 1 });
  assert.equal(slow.audio.length, EDGE + 2 * (3 + 6 + 3 + 6 + 8) * HOP + EDGE);
  await assert.rejects(async () => tts.synthesize('Hi.', { speed: 0 }), /speed must be a number in \(0, 10\], got 0/);
  await assert.rejects(async () => tts.synthesize('Hi.', { speed: Number.NaN }), RangeError);
  await assert.rejects(async () => tts.synthesize('Hi.', { energy: -1 }), /energy must be a number in \(0, 4\]/);
  await assert.rejects(async () => tts.synthesize('Hi.', { speaker: 'carol' }), /unknown speaker "carol": allowed one of "alice", "bob"/);
  await assert.rejects(async () => tts.synthesize('Hi.', { emotion: 'sad' }), /unknown emotion "sad": allowed one of "neutral", "happy"/);
  await assert.rejects(async () => tts.synthesize('Hi.', { emotion: 2 }), /emotion 2 is not valid/);
  const single = pipeline().tts;
  await assert.rejects(async () => single.synthesize('Hi.', { speaker: 'alice' }), /this voice has no speakers/);
  // stream() validates at once, before any iteration.
  assert.throws(() => tts.stream('Hi.', { pitch: 99 }), /pitch must be a number in \[-24, 24\], got 99/);
});

test('empty text and text with nothing to say are clear errors', async () => {
  const { tts } = pipeline();
  assert.throws(() => tts.stream('  \n '), { name: 'RangeError', message: 'text is empty' });
  await assert.rejects(async () => tts.synthesize(''), { name: 'RangeError', message: 'text is empty' });
  await assert.rejects(async () => tts.synthesize('?! ...'), /nothing to speak/);
});

test('symbols the voice lacks are dropped with one warning each, never a crash', async () => {
  const table = new SymbolTable(SymbolTable.default().symbols.filter((s) => s !== 'HH'));
  const { tts, acoustic, warnings } = pipeline(new RuleAcousticDouble(table));
  const r = await tts.synthesize('Hello. Hello hi.');
  assert.deepEqual(warnings, ['the voice has no symbol "HH": dropped from the input']);
  assert.ok(!acoustic.calls.some((c) => c.symbols.includes('HH')));
  assert.deepEqual(r.words.map((w) => w.word), ['Hello', 'Hello', 'hi']);
  assert.ok(r.words.every((w) => w.end > w.start));
});

test('SSML: <break> is silence of the requested length; prosody rate, pitch and volume are applied', async () => {
  const { tts, acoustic } = pipeline();
  const ssml = '<speak>Hello <break time="500ms"/> world <prosody rate="50%" volume="-6dB" pitch="+2st">slowly</prosody>.</speak>';
  const r = await tts.synthesize(ssml, { ssml: true });
  const sil = r.phonemes.find((p) => p.symbol === '<sil>');
  assert.ok(sil, 'the break is listed in the timings');
  const pauseFrames = Math.round(0.5 / FRAME);
  close(sil.end - sil.start, pauseFrames * FRAME, 'pause length');
  // Silence in the audio during the break (the double vocoder maps the log floor to 1e-5).
  const mid = Math.round(((sil.start + sil.end) / 2) * SR);
  assert.ok(Math.abs(r.audio[mid]!) < 1e-4);
  // The pitch change splits the sentence: "Hello world" at 0 st, "slowly ." at +2 st with rate 0.5 → durations x2.
  assert.deepEqual(acoustic.calls.map((c) => [c.symbols.join(' '), c.controls.pitchShift]), [['HH AH0 L OW1 W ER1 L D', 0], ['S L OW1 L IY0 .', 2]]);
  assert.deepEqual(Array.from(acoustic.calls[1]!.controls.durationScale ?? []), [2, 2, 2, 2, 2, 1]);
  const slowly = r.words.find((w) => w.word === 'slowly')!;
  close(slowly.end - slowly.start, 2 * (3 + 3 + 6 + 3 + 6) * FRAME, '"slowly" at half rate');
  // -6 dB in the middle of "slowly": 0.5 x 10^(-6/20).
  const inside = Math.round(((slowly.start + slowly.end) / 2) * SR);
  assert.ok(Math.abs(r.audio[inside]! - 0.5 * 10 ** (-6 / 20)) < 1e-6, `gain: ${r.audio[inside]}`);
  assert.equal(r.audio[EDGE + Math.round(0.01 * SR)], 0.5);
  await assert.rejects(async () => tts.synthesize('<speak>Hi <break time="5ms"/></spek>', { ssml: true }), /SSML error at line 1/);
});

test('the acoustic model and vocoder must share mel features', () => {
  const acoustic = new RuleAcousticDouble();
  (acoustic.melConfig as { hopLength: number }).hopLength = 300;
  assert.throws(() => new ClipTTS(acoustic, new LevelVocoderDouble()), /acoustic model \(22050 Hz, hop 300\) and the vocoder \(22050 Hz, hop 256\)/);
});

test('toWav: 16-bit PCM mono at the sample rate', () => {
  const audio = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) * 0.5);
  const wav = decodeWav(toWav(audio, 22050));
  assert.equal(wav.sampleRate, 22050);
  assert.equal(wav.format, 'pcm16');
  assert.equal(wav.samples.length, 100);
  assert.ok(Math.abs(wav.samples[10]! - audio[10]!) < 1 / 32767);
});

test('the pipeline core imports no Node API (it can run in a browser; voice loading is Node)', async () => {
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  for (const name of ['sentences', 'plan', 'render', 'options', 'types', 'wav']) {
    const src = readFileSync(fileURLToPath(new URL(`../../../src/synth/${name}.ts`, import.meta.url)), 'utf8');
    assert.doesNotMatch(src, /from\s+['"]node:|\bprocess\./, `src/synth/${name}.ts`);
  }
});
