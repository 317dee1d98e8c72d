// `clip-tts serve` as users run it: a child process over a tiny voice folder, its address on
// stdout, a request in flight when SIGTERM arrives completes in full, and the process exits 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { shutdownEngine } from '../../src/engine/index.js';
import { bytesOf, postSpeech, probeFreshConnection, ROOT, writeTinyVoiceFolder } from './helpers.js';

const CLI = join(ROOT, 'dist/src/cli/main.js');
/** Many sentences, so synthesis is still going when the first bytes arrive. */
const LONG_TEXT = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of the shutdown test.`).join(' ');
let voicesDir: string;

before(async () => {
  voicesDir = await writeTinyVoiceFolder('tiny');
  await shutdownEngine();
});
after(() => rmSync(voicesDir, { recursive: true, force: true }));

test('serve: answers, then on SIGTERM finishes the streamed request in flight and exits 0', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--voices', voicesDir, '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+) \(voices: tiny \(default\)\)/.exec(line);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
    const reference = await bytesOf(await postSpeech(url, { input: LONG_TEXT, response_format: 'pcm' }));

    const res = await postSpeech(url, { input: LONG_TEXT, response_format: 'pcm' });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done);
    child.kill('SIGTERM');
    // The child logs this just before it stops listening (same tick); it handles the signal on its
    // event loop, between two sentences of this request.
    while (!/SIGTERM: no new connections/.test(stderr)) await new Promise((r) => child.stderr.once('data', r));
    assert.equal(await probeFreshConnection(url), 'ECONNREFUSED', `new connections are refused after SIGTERM; child said: ${stderr}`);
    let total = first.value.length;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
    }
    assert.equal(total, reference.length, 'the request in flight got all its audio');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /stopped \(SIGTERM\)/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('serve: bad flags are usage errors (exit 2); a missing voice folder fails the start (exit 1)', () => {
  const bad = spawnSync(process.execPath, [CLI, 'serve', '--port', 'abc'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--port must be a number/);
  const unknown = spawnSync(process.execPath, [CLI, 'serve', '--bogus', '1'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  const missing = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--voices', join(voicesDir, 'nope')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(missing.status, 1, missing.stderr);
  assert.match(missing.stderr, /does not exist/);
});
