// The README's engine example must run as written (with the package name mapped to the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

test('README engine example runs and learns', () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /```ts\n(import \* as E from 'clip-tts\/engine';[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has the engine example');
  const engineUrl = pathToFileURL(resolve('dist/src/engine/index.js')).href;
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, block[1]!.replace("'clip-tts/engine'", `'${engineUrl}'`));
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = /final loss ([\d.e-]+)/.exec(r.stdout);
    assert.ok(m, `unexpected output: ${r.stdout}`);
    assert.ok(Number(m[1]) < 1e-3, `the example should fit its two points, got loss ${m[1]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The library examples of the README and of docs/synthesis.md, run against a tiny random voice
// installed as "en-slt" through CLIP_TTS_VOICE_PATH (the bundled voice is found first when present).
async function runSynthesisExample(code: string): Promise<{ stdout: string; dir: string }> {
  const { initEngine } = await import('../../src/engine/index.js');
  const { writeTinyVoice } = await import('../helpers/tiny-voice.js');
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-readme-synth-'));
  writeTinyVoice(join(dir, 'voices'), 'en-slt');
  const indexUrl = pathToFileURL(resolve('dist/src/index.js')).href;
  const file = join(dir, 'example.mjs');
  writeFileSync(file, code.replace("from 'clip-tts'", `from '${indexUrl}'`));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, cwd: dir, env: { ...process.env, CLIP_TTS_VOICE_PATH: join(dir, 'voices') } });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, dir };
}

test('README library example runs: WAV written, words timed, chunks streamed', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /```ts\n(import \{ writeFileSync \} from 'node:fs';\nimport \{ ClipTTS, toWav \} from 'clip-tts';[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has the library example');
  const { stdout, dir } = await runSynthesisExample(block[1]!);
  try {
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^Hello@0\.15s from@[\d.]+s ClipTTS@[\d.]+s It@[\d.]+s costs@[\d.]+s five@[\d.]+s dollars@[\d.]+s$/);
    assert.match(lines[1]!, /^chunk 0 at 0\.00s: First sentence\.$/);
    assert.match(lines[2]!, /^chunk 1 at [\d.]+s: Then the second one\.$/);
    assert.equal(readFileSync(join(dir, 'hello.wav')).subarray(0, 4).toString(), 'RIFF');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/synthesis.md library examples run', async () => {
  const doc = readFileSync('docs/synthesis.md', 'utf8');
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 3, 'synthesis.md has three ts examples (whole text, streaming, SSML)');
  const outputs: string[] = [];
  for (const code of blocks) {
    const { stdout, dir } = await runSynthesisExample(code);
    rmSync(dir, { recursive: true, force: true });
    outputs.push(stdout);
  }
  assert.match(outputs[0]!, /^Doctor +0\.15-[\d.]+ s\nSmith /);
  assert.match(outputs[0]!, /\nM +[\d.]+-[\d.]+ s\n$/);
  assert.match(outputs[1]!, /^chunk 0: 0\.00 s, \d+ samples: The first chunk arrives after one short sentence of work\.\nchunk 1: [\d.]+ s, \d+ samples: The rest follows while you play it\.\n$/);
  assert.equal(outputs[2]!.trim(), "[ '0.39' ]");
});
