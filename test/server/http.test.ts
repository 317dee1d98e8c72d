// The HTTP layer over a controllable SpeechService double: formats, validation errors, limits,
// queueing, timeouts, streaming order, CORS and in-process graceful close.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav } from '../../src/audio/wav.js';
import { isValidVoiceName, type SpeechJsonResponse } from '../../src/server/index.js';
import { CHUNK_SAMPLES, FAKE_RATE, fakeChunkAudio } from './fake-service.js';
import { bytesOf, expectApiError, int16s, postSpeech, probeFreshConnection, startFakeServer, type Started } from './helpers.js';

const THREE_SENTENCES = 'First sentence here. Second one! And a third?';

/** What the double's audio for `n` sentences must encode to, computed independently of the server. */
function expectedPcm(n: number): Int16Array {
  const out = new Int16Array(n * CHUNK_SAMPLES);
  for (let i = 0; i < n; i++) {
    const audio = fakeChunkAudio(i);
    for (let k = 0; k < audio.length; k++) out[i * CHUNK_SAMPLES + k] = Math.min(32767, Math.round(Math.max(-1, Math.min(1, audio[k]!)) * 32768));
  }
  return out;
}

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

describe('server over a fake service: happy paths', () => {
  let s: Started;
  before(async () => { s = await startFakeServer(); });
  after(() => s.server.close());

  test('GET /health reports ok and the queue', async () => {
    const res = await fetch(`${s.url}/health`);
    assert.equal(res.status, 200);
    const body = await res.json() as { status: string; voices: number; queue: { capacity: number } };
    assert.equal(body.status, 'ok');
    assert.equal(body.voices, 2);
    assert.equal(body.queue.capacity, 16);
  });

  test('GET /v1/voices lists voices with their controls and marks the default', async () => {
    const res = await fetch(`${s.url}/v1/voices`);
    assert.equal(res.status, 200);
    const body = await res.json() as { object: string; data: { id: string; sample_rate: number; emotions: string[]; speakers: string[]; default: boolean }[] };
    assert.equal(body.object, 'list');
    assert.deepEqual(body.data.map((v) => [v.id, v.default]), [['fake-en', true], ['fake-multi', false]]);
    assert.deepEqual(body.data[0]!.emotions, ['happy', 'sad']);
    assert.deepEqual(body.data[1]!.speakers, ['p1', 'p2']);
    assert.equal(body.data[0]!.sample_rate, FAKE_RATE);
  });

  test('GET / serves the page with a hash-based Content-Security-Policy', async () => {
    const res = await fetch(`${s.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /default-src 'none'/);
    const html = await res.text();
    assert.match(html, /<label for="text">/);
    assert.doesNotMatch(html, /https?:\/\/(?!localhost)[a-z]/i, 'no external resources');
  });

  test('wav (default format) streams a header of unknown length, then the PCM of every sentence', async () => {
    const res = await postSpeech(s.url, { model: 'tts-1', input: THREE_SENTENCES, voice: 'fake-en' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('x-sample-rate'), String(FAKE_RATE));
    assert.equal(res.headers.get('content-length'), null, 'streamed (chunked), no length');
    const bytes = await bytesOf(res);
    assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'RIFF');
    assert.equal(String.fromCharCode(...bytes.subarray(8, 12)), 'WAVE');
    assert.equal(u32(bytes, 4), 0xffffffff);
    assert.equal(String.fromCharCode(...bytes.subarray(36, 40)), 'data');
    assert.equal(u32(bytes, 40), 0xffffffff);
    assert.equal(u32(bytes, 24), FAKE_RATE);
    assert.deepEqual(int16s(bytes.subarray(44)), expectedPcm(3));
    assert.deepEqual(s.service.calls.at(-1), { voice: 'fake-en', text: THREE_SENTENCES, options: {} });
  });

  test('pcm is raw 16-bit little-endian mono at the voice rate', async () => {
    const res = await postSpeech(s.url, { input: THREE_SENTENCES, response_format: 'pcm' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/pcm');
    assert.equal(res.headers.get('x-sample-rate'), String(FAKE_RATE));
    assert.deepEqual(int16s(await bytesOf(res)), expectedPcm(3));
  });

  test('wav with stream: false has exact sizes and decodes', async () => {
    const res = await postSpeech(s.url, { input: THREE_SENTENCES, response_format: 'wav', stream: false });
    assert.equal(res.status, 200);
    const bytes = await bytesOf(res);
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.equal(u32(bytes, 40), 3 * CHUNK_SAMPLES * 2);
    const wav = decodeWav(bytes);
    assert.equal(wav.sampleRate, FAKE_RATE);
    assert.equal(wav.samples.length, 3 * CHUNK_SAMPLES);
  });

  test('json carries a decodable WAV, absolute word timings and a mel matching the audio', async () => {
    const res = await postSpeech(s.url, { input: THREE_SENTENCES, response_format: 'json', voice: 'fake-multi', speaker: 'p2', speed: 1.5, pitch: -2, ssml: false });
    assert.equal(res.status, 200);
    const body = await res.json() as SpeechJsonResponse;
    assert.equal(body.voice, 'fake-multi');
    assert.equal(body.sample_rate, FAKE_RATE);
    assert.equal(body.duration, (3 * CHUNK_SAMPLES) / FAKE_RATE);
    const wav = decodeWav(new Uint8Array(Buffer.from(body.audio, 'base64')));
    assert.equal(wav.samples.length, 3 * CHUNK_SAMPLES);
    assert.deepEqual(body.words.map((w) => w.word), ['First', 'sentence', 'here.', 'Second', 'one!', 'And', 'a', 'third?']);
    for (let i = 1; i < body.words.length; i++) assert.ok(body.words[i]!.start >= body.words[i - 1]!.start, 'word times increase');
    assert.ok(body.words.at(-1)!.end <= body.duration + 1e-9);
    assert.equal(body.phonemes.length, 3);
    assert.equal(body.mel.bins, 80);
    assert.equal(Buffer.from(body.mel.data, 'base64').length, body.mel.bins * body.mel.frames);
    assert.ok(Math.abs(body.mel.frames * body.mel.frame_seconds - body.duration) < 0.05, 'mel spans the audio');
    assert.deepEqual(s.service.calls.at(-1)!.options, { speed: 1.5, pitch: -2, speaker: 'p2', ssml: false });
  });
});

describe('server over a fake service: 4xx with a JSON error body', () => {
  let s: Started;
  before(async () => { s = await startFakeServer({ maxChars: 50, maxBodyBytes: 2048 }); });
  after(() => s.server.close());

  test('malformed JSON → 400 invalid_json', async () => {
    await expectApiError(await postSpeech(s.url, '{"input": "hi",'), 400, 'invalid_json');
  });
  test('a body that is not an object → 400', async () => {
    await expectApiError(await postSpeech(s.url, '["hi"]'), 400, 'invalid_body');
  });
  test('unknown voice → 400 voice_not_found', async () => {
    const body = await expectApiError(await postSpeech(s.url, { input: 'Hi.', voice: 'nobody' }), 400, 'voice_not_found');
    assert.equal(body.error.param, 'voice');
  });
  test('path-like voice names are refused before any lookup', async () => {
    for (const voice of ['../../etc/passwd', 'voices/en', '..', 'a\\b', '.hidden']) {
      await expectApiError(await postSpeech(s.url, { input: 'Hi.', voice }), 400, 'invalid_voice');
    }
    assert.equal(isValidVoiceName('en-slt'), true);
    assert.equal(isValidVoiceName('zh_CN.v2'), true);
    assert.equal(isValidVoiceName('a..b'), false);
    assert.equal(isValidVoiceName(''), false);
  });
  test('empty and missing input → 400', async () => {
    await expectApiError(await postSpeech(s.url, { input: '' }), 400, 'empty_input');
    await expectApiError(await postSpeech(s.url, { input: '   \n ' }), 400, 'empty_input');
    await expectApiError(await postSpeech(s.url, { voice: 'fake-en' }), 400, 'missing_input');
    await expectApiError(await postSpeech(s.url, { input: 42 }), 400, 'invalid_type');
  });
  test('input over --max-chars → 413 input_too_long (characters, not bytes)', async () => {
    await expectApiError(await postSpeech(s.url, { input: 'x'.repeat(51) }), 413, 'input_too_long');
    const res = await postSpeech(s.url, { input: 'é'.repeat(50), response_format: 'pcm' });
    assert.equal(res.status, 200, '50 two-byte characters are within 50 characters');
    await res.arrayBuffer();
  });
  test('body over --max-body → 413 body_too_large, declared or chunked', async () => {
    const big = JSON.stringify({ input: 'Hi.', padding: 'y'.repeat(4000) });
    await expectApiError(await postSpeech(s.url, big), 413, 'body_too_large');
    // Without a Content-Length the limit is enforced while reading.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) { controller.enqueue(new TextEncoder().encode(big)); controller.close(); },
    });
    const res = await postSpeech(s.url, '', { body: chunked, duplex: 'half' } as RequestInit);
    await expectApiError(res, 413, 'body_too_large');
  });
  test('bad controls → 400 naming the field', async () => {
    assert.equal((await expectApiError(await postSpeech(s.url, { input: 'Hi.', speed: 'fast' }), 400, 'invalid_type')).error.param, 'speed');
    assert.equal((await expectApiError(await postSpeech(s.url, { input: 'Hi.', speed: 10 }), 400, 'out_of_range')).error.param, 'speed');
    assert.equal((await expectApiError(await postSpeech(s.url, { input: 'Hi.', pitch: -30 }), 400, 'out_of_range')).error.param, 'pitch');
    await expectApiError(await postSpeech(s.url, { input: 'Hi.', emotion: 'angry' }), 400, 'emotion_not_found');
    await expectApiError(await postSpeech(s.url, { input: 'Hi.', speaker: 'p1' }), 400, 'speaker_not_found');
    await expectApiError(await postSpeech(s.url, { input: 'Hi.', ssml: 'yes' }), 400, 'invalid_type');
    await expectApiError(await postSpeech(s.url, { input: 'Hi.', response_format: 'mp3' }), 400, 'unsupported_response_format');
    await expectApiError(await postSpeech(s.url, { input: 'Hi.', stream_format: 'sse' }), 400, 'unsupported_stream_format');
  });
  test('wrong method, unknown route, wrong content type', async () => {
    const res = await fetch(`${s.url}/v1/audio/speech`);
    await expectApiError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'POST');
    await expectApiError(await fetch(`${s.url}/v1/nothing`), 404, 'not_found');
    await expectApiError(await postSpeech(s.url, 'input=hi', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });
  test('the service refusing its input → 400, a service failure → 500, both JSON', async () => {
    const { SpeechInputError } = await import('../../src/server/index.js');
    s.service.failWith = new SpeechInputError('nothing pronounceable in the input');
    await expectApiError(await postSpeech(s.url, { input: '???' }), 400, 'invalid_input');
    s.service.failWith = new Error('engine exploded');
    await expectApiError(await postSpeech(s.url, { input: 'Hi.' }), 500, 'internal_error');
    s.service.failWith = null;
  });
});

describe('server over a gated fake service: queue, timeouts, streaming order', () => {
  test('a full queue answers 429 with Retry-After; admitted requests still complete', async () => {
    const s = await startFakeServer({ queueCapacity: 2 });
    try {
      s.service.gated = true;
      const first = postSpeech(s.url, { input: 'One.', response_format: 'pcm' });
      await s.service.whenWaiting();
      const second = postSpeech(s.url, { input: 'Two.', response_format: 'pcm' });
      // The second is admitted (waiting) once the queue holds two jobs.
      while (s.server.queue.size < 2) await new Promise((r) => setImmediate(r));
      const third = await postSpeech(s.url, { input: 'Three.', response_format: 'pcm' });
      await expectApiError(third, 429, 'queue_full');
      const retry = Number(third.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After is whole seconds, got ${third.headers.get('retry-after')}`);
      s.service.release(2);
      for (const res of [await first, await second]) {
        assert.equal(res.status, 200);
        assert.equal((await bytesOf(res)).length, CHUNK_SAMPLES * 2);
      }
      await s.server.queue.whenIdle();
    } finally {
      await s.server.close();
    }
  });

  test('a request past its deadline gets 504 at once, even mid-sentence; a queued one is dropped; synthesis stops at the next chunk', async () => {
    const s = await startFakeServer({ timeoutMs: 300 });
    try {
      // Parked and deaf to the abort, like the engine inside a sentence: only the deadline can answer these requests.
      s.service.gated = true;
      s.service.ignoreAbort = true;
      const [running, queued] = await Promise.all([
        postSpeech(s.url, { input: 'Stuck. Still stuck.' }),
        (async () => { await s.service.whenWaiting(); return postSpeech(s.url, { input: 'Behind it.' }); })(),
      ]);
      await expectApiError(running, 504, 'request_timeout');
      await expectApiError(queued, 504, 'request_timeout');
      assert.equal(s.server.queue.size, 1, 'the running job still holds the engine; the queued one left the queue');
      s.service.release(1);
      await s.server.queue.whenIdle();
      assert.equal(s.service.calls.length, 1, 'the queued request never reached the service');
      assert.equal(s.service.yielded, 1);
      assert.equal(s.service.stopped, 1, 'the running synthesis stopped at its next chunk');
    } finally {
      await s.server.close();
    }
  });

  test('a deadline after audio started cuts the stream (the client sees an incomplete body, not a clean end)', async () => {
    const s = await startFakeServer({ timeoutMs: 300 });
    try {
      s.service.gated = true;
      s.service.release(1);
      const res = await postSpeech(s.url, { input: 'One. Two.', response_format: 'pcm' });
      assert.equal(res.status, 200);
      await assert.rejects(res.arrayBuffer());
      await s.server.queue.whenIdle();
      assert.equal(s.service.stopped, 1);
    } finally {
      await s.server.close();
    }
  });

  test('streaming: the first sentence arrives before the next is synthesized', async () => {
    const s = await startFakeServer();
    try {
      s.service.gated = true;
      s.service.release(1);
      const res = await postSpeech(s.url, { input: THREE_SENTENCES });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      let got = 0;
      while (got < 44 + CHUNK_SAMPLES * 2) {
        const { value, done } = await reader.read();
        assert.ok(!done, 'the stream must not end before the rest is released');
        got += value.length;
      }
      // The client holds all of sentence 1 while the service is parked before sentence 2.
      await s.service.whenWaiting();
      assert.equal(s.service.yielded, 1);
      assert.equal(s.service.completed, 0);
      s.service.release(2);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        got += value.length;
      }
      assert.equal(got, 44 + 3 * CHUNK_SAMPLES * 2);
      assert.equal(s.service.completed, 1);
    } finally {
      await s.server.close();
    }
  });

  test('a client that disconnects mid-stream cancels its synthesis and frees the queue', async () => {
    const s = await startFakeServer();
    try {
      s.service.gated = true;
      s.service.release(1);
      const abort = new AbortController();
      const res = await postSpeech(s.url, { input: THREE_SENTENCES, response_format: 'pcm' }, { signal: abort.signal });
      await res.body!.getReader().read();
      await s.service.whenWaiting();
      abort.abort();
      await s.server.queue.whenIdle();
      assert.equal(s.service.stopped, 1);
      assert.equal(s.service.completed, 0);
    } finally {
      await s.server.close();
    }
  });

  test('20 concurrent requests: exactly the queue capacity is served, the rest get 429 + Retry-After', async () => {
    const s = await startFakeServer({ queueCapacity: 5 });
    try {
      s.service.gated = true;
      const responses = Array.from({ length: 20 }, (_, i) => postSpeech(s.url, { input: `Request ${i}.`, response_format: 'pcm' }));
      // Refusals do not wait for synthesis: all 15 arrive while the 5 admitted are still parked.
      const settled: Response[] = [];
      const refused = await new Promise<Response[]>((resolve) => {
        for (const p of responses) void p.then((r) => { settled.push(r); if (settled.length === 15) resolve([...settled]); });
      });
      for (const r of refused) {
        await expectApiError(r, 429, 'queue_full');
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      }
      assert.equal(s.server.queue.size, 5);
      s.service.release(5);
      const all = await Promise.all(responses);
      const served = all.filter((r) => !refused.includes(r));
      assert.equal(served.length, 5);
      for (const r of served) {
        assert.equal(r.status, 200);
        assert.equal((await bytesOf(r)).length, CHUNK_SAMPLES * 2);
      }
    } finally {
      await s.server.close();
    }
  });
});

describe('server: CORS and graceful close', () => {
  test('CORS is off by default', async () => {
    const s = await startFakeServer();
    try {
      const res = await fetch(`${s.url}/v1/voices`, { headers: { Origin: 'http://evil.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      await res.arrayBuffer();
      const pre = await fetch(`${s.url}/v1/audio/speech`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      await expectApiError(pre, 405, 'method_not_allowed');
    } finally {
      await s.server.close();
    }
  });

  test('--cors ORIGIN answers preflights and tags responses', async () => {
    const s = await startFakeServer({ corsOrigin: 'http://app.example' });
    try {
      const pre = await fetch(`${s.url}/v1/audio/speech`, { method: 'OPTIONS', headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'http://app.example');
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
      const res = await postSpeech(s.url, { input: 'Hi.', response_format: 'pcm' });
      assert.equal(res.headers.get('access-control-allow-origin'), 'http://app.example');
      await res.arrayBuffer();
    } finally {
      await s.server.close();
    }
  });

  test('close() refuses new connections and finishes the request in flight', async () => {
    const s = await startFakeServer();
    s.service.gated = true;
    const inFlight = postSpeech(s.url, { input: 'Keep going. Almost done.', response_format: 'pcm' });
    await s.service.whenWaiting();
    let closed = false;
    const closing = s.server.close().then(() => { closed = true; });
    assert.equal(await probeFreshConnection(s.url), 'ECONNREFUSED');
    assert.equal(closed, false, 'close waits for the request in flight');
    s.service.release(2);
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal((await bytesOf(res)).length, 2 * CHUNK_SAMPLES * 2);
    await closing;
    assert.equal(s.service.completed, 1);
  });
});
