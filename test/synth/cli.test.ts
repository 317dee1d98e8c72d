// `clip-tts speak`, `clip-tts voices` and `clip-tts export-voice`, run as real processes with a
// tiny random voice (test/helpers/tiny-voice.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWav } from '../../src/audio/wav.js';
import { initEngine } from '../../src/engine/index.js';
import { writeTinyRuns, writeTinyVoice } from '../helpers/tiny-voice.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'clip-tts-cli-'));
let voice = '';
before(async () => {
  await initEngine();
  voice = writeTinyVoice(join(tmp, 'voices'), 'tiny');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8', input: opts.input ?? '', env: { ...process.env, CLIP_TTS_THREADS: '1', ...(opts.env ?? {}) },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('speak: TEXT → WAV and --timestamps JSON', () => {
  const wav = join(tmp, 'hello.wav'), ts = join(tmp, 'hello.json');
  const r = run(['speak', 'Hello from ClipTTS. It costs $5.', '-o', wav, '--voice', voice, '--timestamps', ts, '--speed', '1.2', '--pitch', '-2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /s of audio, 7 words, in .* -> .*hello\.wav/);
  const audio = decodeWav(readFileSync(wav));
  assert.equal(audio.sampleRate, 22050);
  assert.ok(audio.samples.length > 0);
  const t = JSON.parse(readFileSync(ts, 'utf8')) as { duration: number; words: { word: string; start: number; end: number }[]; phonemes: { symbol: string }[] };
  assert.deepEqual(t.words.map((w) => w.word), ['Hello', 'from', 'ClipTTS', 'It', 'costs', 'five', 'dollars']);
  assert.ok(Math.abs(t.duration - audio.samples.length / 22050) < 1e-6);
  assert.ok(t.phonemes.length > 20);
  assert.ok(Math.abs(t.words[0]!.start - Math.round(0.15 * 22050) / 22050) < 1e-6, 'speech starts after 0.15 s of silence');
  // --leading-silence / --trailing-silence set the edges: 0 and 0.5 s give 0.35 s more audio in all.
  const edges = join(tmp, 'edges.wav'), edgesTs = join(tmp, 'edges.json');
  const e = run(['speak', 'Hello from ClipTTS. It costs $5.', '-o', edges, '--voice', voice, '--timestamps', edgesTs, '--speed', '1.2', '--pitch', '-2', '--leading-silence', '0', '--trailing-silence', '0.5']);
  assert.equal(e.status, 0, e.stderr);
  const te = JSON.parse(readFileSync(edgesTs, 'utf8')) as typeof t;
  assert.equal(te.words[0]!.start, 0);
  assert.equal(decodeWav(readFileSync(edges)).samples.length, audio.samples.length - 2 * Math.round(0.15 * 22050) + Math.round(0.5 * 22050));
});

test('speak: text from stdin; -o - writes the WAV to stdout', () => {
  const wav = join(tmp, 'stdin.wav');
  const r = run(['speak', '-o', wav, '--voice', voice], { input: 'Read from standard input.\n' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(decodeWav(readFileSync(wav)).samples.length > 0);
  const out = spawnSync(process.execPath, [MAIN, 'speak', 'To stdout.', '-o', '-', '--voice', voice], { env: { ...process.env, CLIP_TTS_THREADS: '1' } });
  assert.equal(out.status, 0, out.stderr.toString());
  assert.equal(out.stdout.subarray(0, 4).toString(), 'RIFF');
  assert.ok(decodeWav(new Uint8Array(out.stdout)).samples.length > 0);
});

test('speak --input FILE --out-dir DIR: one WAV per good line; bad lines name FILE:LINE and are skipped', () => {
  const list = join(tmp, 'list.txt'), outDir = join(tmp, 'batch'), ts = join(tmp, 'batch.json');
  writeFileSync(list, [
    'a1|The first line.|the first line.',   // LJSpeech-style third column, ignored
    'no separator here',
    '',
    'a2|Second line, with a comma.',
    'a3|',
    '../evil|Escape attempt.',
    'a1|Duplicate id.',
    'a4|Fourth.|x|y',
  ].join('\n'));
  const r = run(['speak', '--input', list, '--out-dir', outDir, '--voice', voice, '--timestamps', ts]);
  assert.equal(r.status, 1, 'exit code 1 when lines were skipped');
  assert.deepEqual(readdirSync(outDir).sort(), ['a1.wav', 'a2.wav', 'a4.wav']);
  assert.match(r.stderr, /list\.txt:2: expected "id\|text"; skipped/);
  assert.match(r.stderr, /list\.txt:5: the text column is empty; skipped/);
  assert.match(r.stderr, /list\.txt:6: id "\.\.\/evil" is not a plain file name/);
  assert.match(r.stderr, /list\.txt:7: duplicate id "a1"; skipped/);
  assert.match(r.stdout, /3 file\(s\) written to .*batch .*; 4 line\(s\) skipped/);
  const t = JSON.parse(readFileSync(ts, 'utf8')) as Record<string, { words: { word: string }[] }>;
  assert.deepEqual(Object.keys(t).sort(), ['a1', 'a2', 'a4']);
  assert.deepEqual(t.a2!.words.map((w) => w.word), ['Second', 'line', 'with', 'a', 'comma']);
  assert.equal(existsSync(join(tmp, 'evil.wav')), false);
});

test('speak: clear usage errors', () => {
  let r = run(['speak', 'Hi.', '--voice', voice]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing -o OUT\.wav/);
  r = run(['speak', 'Hi.', '-o', join(tmp, 'x.wav'), '--voice', voice, '--speed', '0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--speed must be a number in \(0, 10\], got 0/);
  r = run(['speak', 'Hi.', '-o', join(tmp, 'x.wav'), '--voice', voice, '--trailing-silence', '9']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--trailing-silence must be a number in \[0, 5\], got 9/);
  r = run(['speak', 'Hi.', '-o', join(tmp, 'x.wav'), '--voice', voice, '--speaker', 'zed']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown speaker "zed": allowed nothing: this voice has no speakers/);
  r = run(['speak', '-o', join(tmp, 'x.wav'), '--voice', voice], { input: '   ' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /stdin held no text/);
  r = run(['speak', 'Hi.', '-o', join(tmp, 'x.wav'), '--voice', join(tmp, 'nowhere')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /voice folder .*nowhere does not exist/);
  r = run(['speak', '--input', join(tmp, 'missing.txt'), '--out-dir', tmp]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--input .*missing\.txt: no such file/);
  r = run(['speak', 'Hi.', '-o', join(tmp, 'x.wav'), '--volume', '3']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --volume/);
  // With no voice installed anywhere, the default voice's absence is explained.
  r = run(['speak', 'Hi.', '-o', join(tmp, 'x.wav'), '--voice', 'en-slt'], { env: { CLIP_TTS_VOICE_PATH: join(tmp, 'voices') } });
  if (!existsSync(fileURLToPath(new URL('../../../voices/en-slt/voice.json', import.meta.url)))) {
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the bundled voice "en-slt" is missing from .*voices .*pass a voice folder \(--voice DIR\)/);
  }
});

test('voices: lists voices of CLIP_TTS_VOICE_PATH (text and --json)', () => {
  const env = { CLIP_TTS_VOICE_PATH: join(tmp, 'voices') };
  let r = run(['voices'], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+LANG\s+RATE\s+SIZE\s+DESCRIPTION/);
  assert.match(r.stdout, /\ntiny\s+en\s+22050 Hz\s+[\d.]+ MB\s+tiny random test voice/);
  r = run(['voices', '--json'], { env });
  const list = JSON.parse(r.stdout) as { name: string; config?: { sampleRate: number } }[];
  assert.equal(list.find((v) => v.name === 'tiny')?.config?.sampleRate, 22050);
});

test('export-voice: runs → voice folder that speak can use', async () => {
  const runs = await writeTinyRuns(join(tmp, 'runs'));
  const out = join(tmp, 'voices', 'made');
  const prov = join(tmp, 'prov.json');
  writeFileSync(prov, JSON.stringify({ wer: 0.1 }));
  let r = run(['export-voice', '--acoustic', runs.acousticRun, '--vocoder', runs.vocoderRun, '--out', out, '--name', 'made', '--description', 'made here', '--training', prov]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /voice made -> .*made: acoustic [\d.]+ MB, vocoder [\d.]+ MB, total [\d.]+ MB/);
  assert.match(r.stdout, /check: [\d.]+ s of audio/);
  const config = JSON.parse(readFileSync(join(out, 'voice.json'), 'utf8')) as { name: string; training: { wer: number; acousticStep: number } };
  assert.equal(config.name, 'made');
  assert.equal(config.training.wer, 0.1);
  assert.equal(config.training.acousticStep, 7);
  r = run(['speak', 'Made by export.', '-o', join(tmp, 'made.wav'), '--voice', 'made'], { env: { CLIP_TTS_VOICE_PATH: join(tmp, 'voices') } });
  assert.equal(r.status, 0, r.stderr);
  r = run(['export-voice', '--acoustic', runs.acousticRun, '--out', out, '--name', 'x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing --vocoder/);
  r = run(['export-voice', '--acoustic', join(tmp, 'nope'), '--vocoder', runs.vocoderRun, '--out', out, '--name', 'x']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /acoustic run .*nope does not exist/);
});

test('the package bin runs as an executable (what `npx clip-tts` does in a fresh clone)', () => {
  const bin = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { bin: Record<string, string> }).bin['clip-tts']!;
  const r = spawnSync(fileURLToPath(new URL(`../../../${bin}`, import.meta.url)), ['--help'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, `spawning ${bin}: ${String(r.error)}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /speak/);
});

test('every new command has --help', () => {
  for (const cmd of ['speak', 'voices', 'export-voice']) {
    const r = run([cmd, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`^Usage: clip-tts ${cmd}`));
    assert.match(r.stdout, /Example/);
  }
});
