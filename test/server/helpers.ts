/** Shared helpers for the server tests (not a test file itself). */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SpeechServer, type SpeechServerOptions, type ApiErrorBody } from '../../src/server/index.js';
import { FakeSpeechService } from './fake-service.js';

/** Repository root (tests run from dist/test/server/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Started {
  server: SpeechServer;
  service: FakeSpeechService;
  url: string;
}

/** A real server on a free loopback port over a FakeSpeechService. */
export async function startFakeServer(options: Partial<SpeechServerOptions> = {}): Promise<Started> {
  const service = new FakeSpeechService();
  const server = new SpeechServer({ service, ...options });
  await server.listen(0);
  return { server, service, url: server.url };
}

export function postSpeech(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** Asserts an OpenAI-shaped JSON error with this status and code; returns the body. */
export async function expectApiError(res: Response, status: number, code: string): Promise<ApiErrorBody> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as ApiErrorBody;
  assert.equal(body.error.code, code, text);
  assert.equal(typeof body.error.type, 'string');
  assert.ok(body.error.message.length > 0, 'the error has a message');
  return body;
}

/** Reads a whole body as bytes. */
export async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** 16-bit little-endian PCM bytes → numbers. */
export function int16s(bytes: Uint8Array): Int16Array {
  assert.equal(bytes.length % 2, 0, 'PCM has an even byte count');
  const copy = bytes.slice();
  return new Int16Array(copy.buffer, 0, copy.length / 2);
}

/**
 * Tries a fresh TCP connection (no pooled keep-alive socket) and resolves with the HTTP status,
 * or with the connection error's code (e.g. ECONNREFUSED).
 */
export function probeFreshConnection(url: string, path = '/health'): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

/**
 * A folder holding one tiny random-weight voice named `name` (test/helpers/tiny-voice.ts), written
 * with the engine of this process (started if needed, one thread).
 */
export async function writeTinyVoiceFolder(name = 'tiny', opts: { speakers?: string[] } = {}): Promise<string> {
  const { initEngine, isEngineReady } = await import('../../src/engine/index.js');
  const { writeTinyVoice } = await import('../helpers/tiny-voice.js');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  if (!isEngineReady()) await initEngine({ threads: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-server-'));
  writeTinyVoice(dir, name, opts);
  return dir;
}

/** Parses a WAV header this server writes (44 bytes, mono 16-bit); returns rate and data size field. */
export function readWavHeader(bytes: Uint8Array): { sampleRate: number; riffSize: number; dataSize: number } {
  assert.ok(bytes.length >= 44, 'a WAV header is 44 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  assert.deepEqual([tag(0), tag(8), tag(12), tag(36)], ['RIFF', 'WAVE', 'fmt ', 'data']);
  assert.equal(view.getUint16(20, true), 1, 'PCM');
  assert.equal(view.getUint16(22, true), 1, 'mono');
  assert.equal(view.getUint16(34, true), 16, '16-bit');
  return { sampleRate: view.getUint32(24, true), riffSize: view.getUint32(4, true), dataSize: view.getUint32(40, true) };
}
