/**
 * The ClipTTS HTTP server (node:http, no framework): an OpenAI-compatible POST /v1/audio/speech
 * that streams audio as sentences finish, GET /v1/voices, GET /health and the web page at /.
 * Synthesis goes through one bounded queue (one job at a time); limits are enforced before a
 * request takes a place in it. See docs/server.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApiError, badRequest } from './errors.js';
import { SynthesisQueue } from './queue.js';
import { parseSpeechRequest, type SpeechRequest } from './speech-request.js';
import { melForDisplay, toPcm16, wavHeader, type MelForDisplay } from './audio-encoding.js';
import { loadWebPage, type WebPage } from './web-page.js';
import { SpeechInputError, type PhonemeTiming, type SpeechService, type WordTiming } from './types.js';

/** Limits and switches of a server; every field has a default (DEFAULT_SERVER_LIMITS). */
export interface ServerLimits {
  /** Most characters (code points) in `input`; longer → 413. */
  maxChars: number;
  /** Most bytes in a request body; larger → 413. */
  maxBodyBytes: number;
  /** Per-request deadline (body, queue wait and synthesis), ms; past it → 504, or the stream is cut. */
  timeoutMs: number;
  /** Most speech requests admitted at once (the running one included); more → 429 + Retry-After. */
  queueCapacity: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxChars: 4096,
  maxBodyBytes: 64 * 1024,
  timeoutMs: 120_000,
  queueCapacity: 16,
});

export interface SpeechServerOptions extends Partial<ServerLimits> {
  service: SpeechService;
  /** Allowed CORS origin ("*" or one origin). CORS headers are sent only when set. */
  corsOrigin?: string;
  /** One line per request and lifecycle event; silent when omitted. */
  log?: (line: string) => void;
}

/** The JSON response (`response_format: "json"`), which the web page uses. */
export interface SpeechJsonResponse {
  voice: string;
  sample_rate: number;
  /** Seconds of audio. */
  duration: number;
  /** base64 of a complete 16-bit PCM WAV file. */
  audio: string;
  words: WordTiming[];
  phonemes: PhonemeTiming[];
  mel: MelForDisplay;
}

/** Why a request stopped early, as the reason of its AbortSignal. */
class ClientClosedError extends Error {
  override name = 'ClientClosedError';
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class SpeechServer {
  readonly http: Server;
  readonly queue: SynthesisQueue;
  readonly limits: Readonly<ServerLimits>;
  private readonly service: SpeechService;
  private readonly corsOrigin: string | undefined;
  private readonly log: (line: string) => void;
  private readonly page: WebPage;
  private closing = false;
  private closed: Promise<void> | null = null;
  /** Requests whose response has not finished. */
  private inFlight = 0;
  /** Open connections and how many requests each is answering (0 = idle, closable on shutdown). */
  private readonly connections = new Map<Socket, number>();

  constructor(options: SpeechServerOptions) {
    this.limits = Object.freeze({
      maxChars: options.maxChars ?? DEFAULT_SERVER_LIMITS.maxChars,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_SERVER_LIMITS.maxBodyBytes,
      timeoutMs: options.timeoutMs ?? DEFAULT_SERVER_LIMITS.timeoutMs,
      queueCapacity: options.queueCapacity ?? DEFAULT_SERVER_LIMITS.queueCapacity,
    });
    for (const [k, v] of Object.entries(this.limits)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`server limit ${k} must be a positive integer, got ${v}`);
    }
    this.service = options.service;
    this.corsOrigin = options.corsOrigin;
    this.log = options.log ?? (() => {});
    this.queue = new SynthesisQueue(this.limits.queueCapacity);
    this.page = loadWebPage();
    this.http = createServer((req, res) => { void this.handle(req, res); });
    this.http.on('connection', (socket: Socket) => {
      if (this.closing) { socket.destroy(); return; }
      this.connections.set(socket, 0);
      socket.once('close', () => this.connections.delete(socket));
    });
    // Our own per-request timer covers body, queue and synthesis; Node's must not cut in first.
    this.http.requestTimeout = this.limits.timeoutMs + 5_000;
  }

  /** Starts listening (port 0 picks a free port). Loopback by default: exposing it is a choice. */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /** Base URL once listening, e.g. http://127.0.0.1:8080 */
  get url(): string {
    const a = this.http.address();
    if (!a || typeof a === 'string') throw new Error('server is not listening');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** Requests being answered right now. */
  get activeRequests(): number {
    return this.inFlight;
  }

  /**
   * Graceful shutdown: stops accepting connections, answers new speech requests on open
   * connections with 503, lets every admitted request finish (each is bounded by the request timeout), then
   * closes. Connections still open `forceAfterMs` later (e.g. a client that stopped reading)
   * are cut. Resolves once the server is closed.
   */
  close(forceAfterMs = this.limits.timeoutMs + 5_000): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.closed = new Promise<void>((resolve, reject) => {
      if (!this.http.listening) { resolve(); return; }
      const force = setTimeout(() => this.http.closeAllConnections(), forceAfterMs);
      force.unref();
      this.http.close((err) => {
        clearTimeout(force);
        if (err) reject(err); else resolve();
      });
      // Node's closeIdleConnections misses sockets that never carried a request (clients open
      // spare ones), so idle sockets are tracked and closed here.
      for (const [socket, active] of this.connections) if (active === 0) socket.destroy();
    });
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const socket = req.socket;
    this.inFlight++;
    const requestsOnSocket = this.connections.get(socket);
    if (requestsOnSocket !== undefined) this.connections.set(socket, requestsOnSocket + 1);
    res.once('close', () => {
      this.inFlight--;
      const left = this.connections.get(socket);
      const active = left === undefined ? 0 : left - 1;
      if (left !== undefined) this.connections.set(socket, active);
      this.log(`${req.method} ${req.url} ${res.headersSent ? res.statusCode : '-'} ${Math.round(performance.now() - t0)}ms${res.writableFinished ? '' : ' (cut)'}`);
      // A keep-alive connection becomes idle after its response; during shutdown it must go.
      if (this.closing && active === 0) socket.end();
    });
    if (this.closing) res.setHeader('Connection', 'close');
    if (this.corsOrigin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', this.corsOrigin);
      if (this.corsOrigin !== '*') res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'X-Sample-Rate, X-Voice, Retry-After');
    }
    try {
      await this.route(req, res);
    } catch (e) {
      this.sendError(res, e);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';
    if (method === 'OPTIONS' && this.corsOrigin !== undefined) return this.sendPreflight(res);
    switch (path) {
      case '/':
      case '/index.html':
        if (!isGet) throw methodNotAllowed('GET, HEAD');
        return this.sendPage(res);
      case '/health':
        if (!isGet) throw methodNotAllowed('GET, HEAD');
        return this.sendJson(res, this.closing ? 503 : 200, {
          status: this.closing ? 'shutting_down' : 'ok',
          voices: this.service.voices().length,
          queue: { admitted: this.queue.size, waiting: this.queue.waitingCount, capacity: this.queue.capacity },
        });
      case '/v1/voices':
        if (!isGet) throw methodNotAllowed('GET, HEAD');
        return this.sendJson(res, 200, {
          object: 'list',
          data: this.service.voices().map((v) => ({
            id: v.name,
            object: 'voice',
            language: v.language,
            sample_rate: v.sampleRate,
            speakers: v.speakers,
            emotions: v.emotions,
            description: v.description,
            default: v.name === this.service.defaultVoice,
          })),
        });
      case '/v1/audio/speech':
        if (method !== 'POST') throw methodNotAllowed('POST');
        return this.handleSpeech(req, res);
      default:
        throw new ApiError(404, 'invalid_request_error', 'not_found', `no route for ${method} ${path}`);
    }
  }

  private async handleSpeech(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.closing) throw new ApiError(503, 'server_error', 'shutting_down', 'the server is shutting down', null, { 'Retry-After': '5' });
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') throw new ApiError(415, 'invalid_request_error', 'unsupported_media_type', `send the body as application/json, not ${contentType}`);

    // One deadline for the whole request; a client that goes away cancels its work too.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new ApiError(504, 'timeout_error', 'request_timeout', `the request took longer than ${this.limits.timeoutMs} ms`)), this.limits.timeoutMs);
    res.once('close', () => { if (!res.writableFinished) abort.abort(new ClientClosedError('client closed the connection')); });
    try {
      const raw = await readBody(req, this.limits.maxBodyBytes, abort.signal);
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch (e) {
        throw badRequest('invalid_json', `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      const request = parseSpeechRequest(body, this.service.voices(), this.service.defaultVoice, this.limits.maxChars);
      const job = this.queue.tryRun(() => this.synthesize(request, res, abort.signal), abort.signal);
      if (!job) {
        const wait = this.queue.retryAfterSeconds();
        throw new ApiError(429, 'rate_limit_error', 'queue_full', `the synthesis queue is full (${this.queue.capacity} requests); retry in ${wait} s`, null, { 'Retry-After': String(wait) });
      }
      // Answer at the deadline even if the engine is mid-sentence: the job notices the abort at
      // its next chunk and only then frees the queue (the engine cannot be interrupted).
      job.catch(() => {});
      await Promise.race([job, rejectOnAbort(abort.signal)]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs inside the queue: synthesizes and writes the response, streaming unless asked not to. */
  private async synthesize(request: SpeechRequest, res: ServerResponse, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { voice, format } = request;
    const sampleRate = voice.sampleRate;
    const chunks = this.service.stream(voice.name, request.input, request.options, signal);
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      'X-Sample-Rate': String(sampleRate),
      'X-Voice': voice.name,
    };

    if (format === 'json' || !request.stream) {
      const audio: Float32Array[] = [];
      const words: WordTiming[] = [];
      const phonemes: PhonemeTiming[] = [];
      for await (const chunk of chunks) {
        signal.throwIfAborted();
        checkRate(chunk.sampleRate, sampleRate);
        audio.push(chunk.audio);
        words.push(...chunk.words);
        phonemes.push(...chunk.phonemes);
      }
      signal.throwIfAborted();
      const samples = concat(audio);
      const pcm = toPcm16(samples);
      if (format === 'json') {
        const wav = concatBytes([wavHeader(sampleRate, pcm.length), pcm]);
        const payload: SpeechJsonResponse = {
          voice: voice.name,
          sample_rate: sampleRate,
          duration: samples.length / sampleRate,
          audio: Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength).toString('base64'),
          words,
          phonemes,
          mel: melForDisplay(samples, sampleRate),
        };
        return this.sendJson(res, 200, payload, headers);
      }
      const body = format === 'wav' ? concatBytes([wavHeader(sampleRate, pcm.length), pcm]) : pcm;
      res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(format), 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }

    // Streaming: headers go out with the first chunk, so a failure before any audio still gets a
    // proper error status. Writes do not wait for the client to drain: the queue must not be held
    // by a slow reader, and the buffered audio is bounded by maxChars.
    const start = (): void => {
      res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(format) });
      if (format === 'wav') res.write(wavHeader(sampleRate));
    };
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      checkRate(chunk.sampleRate, sampleRate);
      if (!res.headersSent) start();
      res.write(toPcm16(chunk.audio));
    }
    signal.throwIfAborted();
    if (!res.headersSent) start();
    res.end();
  }

  private sendPage(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(this.page.html.length),
      'Content-Security-Policy': this.page.contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    res.end(this.page.html);
  }

  private sendPreflight(res: ServerResponse): void {
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      'Access-Control-Max-Age': '600',
    });
    res.end();
  }

  private sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const body = Buffer.from(JSON.stringify(value));
    res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
    res.end(body);
  }

  private sendError(res: ServerResponse, e: unknown): void {
    if (e instanceof ClientClosedError) { res.destroy(); return; }
    let error: ApiError;
    if (e instanceof ApiError) error = e;
    else if (e instanceof SpeechInputError) error = badRequest('invalid_input', e.message, 'input');
    else {
      this.log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      error = new ApiError(500, 'server_error', 'internal_error', `synthesis failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.headersSent) {
      // Audio already went out: cutting the connection (no final chunk) is the only way to tell
      // the client the stream is incomplete.
      this.log(`stream aborted: ${error.message}`);
      res.destroy(error);
      return;
    }
    // An unread request body (413) would otherwise be parsed as the next request.
    if (error.code === 'body_too_large') res.setHeader('Connection', 'close');
    this.sendJson(res, error.status, error.body(), { ...error.headers });
  }
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'invalid_request_error', 'method_not_allowed', `method not allowed; use ${allow}`, null, { Allow: allow });
}

function contentTypeOf(format: 'wav' | 'pcm'): string {
  return format === 'wav' ? 'audio/wav' : 'audio/pcm';
}

function checkRate(got: number, expected: number): void {
  if (got !== expected) throw new Error(`voice produced ${got} Hz audio but is listed at ${expected} Hz`);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Reads the body as UTF-8, refusing more than `maxBytes` (413) as early as the headers allow. A
 * refused body keeps being read and discarded (the 413 goes out with Connection: close), so the
 * client is not reset while still sending and sees the answer.
 */
function readBody(req: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): ApiError => new ApiError(413, 'invalid_request_error', 'body_too_large', `the request body exceeds ${maxBytes} bytes`);
    const parts: Buffer[] = [];
    let total = 0;
    let refused = false;
    const onAbort = (): void => { req.destroy(); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) { refused = true; reject(tooLarge()); }
    req.on('data', (part: Buffer) => {
      if (refused) return;
      total += part.length;
      if (total > maxBytes) { refused = true; parts.length = 0; reject(tooLarge()); return; }
      parts.push(part);
    });
    req.once('end', () => { done(); resolve(Buffer.concat(parts).toString('utf8')); });
    req.once('error', (e) => { done(); reject(signal.aborted ? signal.reason : e); });
  });
}
