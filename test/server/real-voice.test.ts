// The server over the real pipeline (ClipTTSService + a tiny random-weight voice): every format,
// input errors from the pipeline, streaming order with real synthesis, and a 20-request burst.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { decodeWav } from '../../src/audio/wav.js';
import { ClipTTSService, SpeechServer, type SpeechChunk, type SpeechJsonResponse, type SpeechOptions, type SpeechService, type VoiceInfo } from '../../src/server/index.js';
import { bytesOf, expectApiError, int16s, postSpeech, readWavHeader, writeTinyVoiceFolder } from './helpers.js';

const TEXT = 'Hello world. The server streams speech sentence by sentence. Goodbye!';
let voicesDir: string;
let service: ClipTTSService;

before(async () => {
  voicesDir = await writeTinyVoiceFolder('tiny');
  service = await ClipTTSService.load({ voiceDirs: [voicesDir], threads: 1, log: () => {} });
});
after(async () => {
  await service.close();
  rmSync(voicesDir, { recursive: true, force: true });
});

async function withServer<T>(svc: SpeechService, options: { queueCapacity?: number }, body: (url: string, server: SpeechServer) => Promise<T>): Promise<T> {
  const server = new SpeechServer({ service: svc, ...options });
  await server.listen(0);
  try {
    return await body(server.url, server);
  } finally {
    await server.close();
  }
}

test('the served voice is the tiny one, with its rate', () => {
  assert.equal(service.defaultVoice, 'tiny');
  assert.deepEqual(service.voices().map((v) => [v.name, v.sampleRate]), [['tiny', 22050]]);
});

test('wav, pcm and json carry the same synthesized audio', async () => {
  await withServer(service, {}, async (url) => {
    const wavRes = await postSpeech(url, { model: 'tts-1', input: TEXT, voice: 'tiny', response_format: 'wav' });
    assert.equal(wavRes.status, 200);
    const wav = await bytesOf(wavRes);
    const header = readWavHeader(wav);
    assert.equal(header.sampleRate, 22050);
    assert.equal(header.dataSize, 0xffffffff, 'streamed WAV: unknown length');
    const wavPcm = int16s(wav.subarray(44));
    assert.ok(wavPcm.length > 22050 * 0.3, `plausible length for three sentences, got ${wavPcm.length} samples`);
    assert.ok(wavPcm.some((x) => Math.abs(x) > 100), 'not silence');

    const pcmRes = await postSpeech(url, { input: TEXT, response_format: 'pcm' });
    assert.equal(pcmRes.status, 200);
    assert.equal(pcmRes.headers.get('x-sample-rate'), '22050');
    assert.deepEqual(int16s(await bytesOf(pcmRes)), wavPcm, 'synthesis is deterministic: pcm = the wav data');

    const jsonRes = await postSpeech(url, { input: TEXT, response_format: 'json' });
    assert.equal(jsonRes.status, 200);
    const body = await jsonRes.json() as SpeechJsonResponse;
    const decoded = decodeWav(new Uint8Array(Buffer.from(body.audio, 'base64')));
    assert.equal(decoded.samples.length, wavPcm.length);
    assert.equal(body.duration, wavPcm.length / 22050);
    assert.ok(body.words.length >= 10, `words with timings, got ${body.words.length}`);
    assert.equal(body.words[0]!.word.toLowerCase(), 'hello');
    for (let i = 1; i < body.words.length; i++) assert.ok(body.words[i]!.start >= body.words[i - 1]!.end - 1e-9, 'words in order');
    assert.ok(body.words.at(-1)!.end <= body.duration + 1e-6);
    assert.ok(body.phonemes.length > body.words.length);
    assert.equal(Buffer.from(body.mel.data, 'base64').length, body.mel.bins * body.mel.frames);
  });
});

test('input the pipeline cannot speak is a 400, options it rejects too', async () => {
  await withServer(service, {}, async (url) => {
    await expectApiError(await postSpeech(url, { input: '...' }), 400, 'invalid_input');
    await expectApiError(await postSpeech(url, { input: 'Hi.', speaker: 'nobody' }), 400, 'speaker_not_found');
  });
});

/** Passes the real service's chunks through, holding each after the first until the test releases it. */
class HeldAfterFirstChunk implements SpeechService {
  pulled = 0;
  finished = false;
  private releaseRest!: () => void;
  private readonly rest = new Promise<void>((r) => { this.releaseRest = r; });
  constructor(private readonly inner: SpeechService) {}
  get defaultVoice(): string { return this.inner.defaultVoice; }
  voices(): readonly VoiceInfo[] { return this.inner.voices(); }
  release(): void { this.releaseRest(); }
  async *stream(voice: string, text: string, options: SpeechOptions, signal: AbortSignal): AsyncIterable<SpeechChunk> {
    for await (const chunk of this.inner.stream(voice, text, options, signal)) {
      if (this.pulled === 1) await this.rest;
      this.pulled++;
      yield chunk;
    }
    this.finished = true;
  }
}

test('streaming with the real pipeline: the first sentence reaches the client before the rest is synthesized', async () => {
  const held = new HeldAfterFirstChunk(service);
  await withServer(held, {}, async (url) => {
    const res = await postSpeech(url, { input: TEXT, response_format: 'pcm' });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0, 'audio bytes arrived');
    assert.equal(held.pulled, 1, 'only the first chunk has been synthesized');
    assert.equal(held.finished, false);
    held.release();
    let total = first.value!.length;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
    }
    assert.ok(held.pulled >= 3, `three sentences, got ${held.pulled} chunks`);
    assert.ok(total > first.value!.length);
  });
});

test('20 concurrent requests: every one answered 200 or 429 + Retry-After, memory bounded', async () => {
  await withServer(service, { queueCapacity: 4 }, async (url) => {
    const burst = async (): Promise<{ ok: number; refused: number }> => {
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => postSpeech(url, { input: `Request number ${i}. It has two sentences.`, response_format: i % 2 ? 'pcm' : 'wav' })));
      let ok = 0, refused = 0;
      for (const r of responses) {
        if (r.status === 200) {
          ok++;
          assert.ok((await bytesOf(r)).length > 1000);
        } else {
          await expectApiError(r, 429, 'queue_full');
          assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After in whole seconds');
          refused++;
        }
      }
      return { ok, refused };
    };
    const warm = await burst();
    assert.equal(warm.ok + warm.refused, 20);
    assert.ok(warm.ok >= 4, `at least the queue capacity is served, got ${warm.ok}`);
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 3; i++) {
      const b = await burst();
      assert.equal(b.ok + b.refused, 20);
    }
    const growth = process.memoryUsage().rss - rssBefore;
    assert.ok(growth < 100 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB over 60 more requests`);
  });
});
