/**
 * Validation of a POST /v1/audio/speech body (OpenAI's fields plus ClipTTS's extras) into a
 * SpeechRequest. Everything a client can get wrong is reported here as a 4xx ApiError, before the
 * request takes a place in the synthesis queue.
 */
import { ApiError, badRequest } from './errors.js';
import type { SpeechOptions, VoiceInfo } from './types.js';

/** Response formats: streamed 16-bit WAV, streamed raw 16-bit PCM, or one JSON document for the web page. */
export const RESPONSE_FORMATS = ['wav', 'pcm', 'json'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** OpenAI formats we know of but do not encode (answered with a clear 400 rather than "unknown"). */
const UNSUPPORTED_OPENAI_FORMATS = ['mp3', 'opus', 'aac', 'flac'];

export const SPEED_RANGE = [0.25, 4] as const;
export const PITCH_RANGE = [-24, 24] as const;

export interface SpeechRequest {
  voice: VoiceInfo;
  input: string;
  format: ResponseFormat;
  /** Send audio as it is synthesized (chunked); false buffers it and sends exact lengths. */
  stream: boolean;
  options: SpeechOptions;
}

/**
 * Voice names are looked up in the server's list, never used as paths; this check additionally
 * keeps anything path-like (`/`, `\`, `..`, NUL) out of logs and error messages.
 */
export function isValidVoiceName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) && !name.includes('..');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest('invalid_type', `"${key}" must be a string`, key);
  return v;
}

function optionalNumber(body: Record<string, unknown>, key: string, [lo, hi]: readonly [number, number]): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest('invalid_type', `"${key}" must be a number`, key);
  if (v < lo || v > hi) throw badRequest('out_of_range', `"${key}" must be between ${lo} and ${hi}, got ${v}`, key);
  return v;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badRequest('invalid_type', `"${key}" must be true or false`, key);
  return v;
}

/** Picks `name` from `allowed` (the voice's speakers or emotions), or explains what exists. */
function chooseFrom(name: string | undefined, allowed: readonly string[], key: 'speaker' | 'emotion', voice: string): string | undefined {
  if (name === undefined || name === '') return undefined;
  if (allowed.includes(name)) return name;
  const which = allowed.length ? `one of ${allowed.map((a) => `"${a}"`).join(', ')}` : `none (voice "${voice}" has no ${key}s)`;
  throw badRequest(`${key}_not_found`, `unknown ${key} "${name}" for voice "${voice}": expected ${which}`, key);
}

/**
 * Validates a parsed JSON body. `maxChars` bounds the input in characters (code points);
 * a longer input is a 413, like an oversized body.
 */
export function parseSpeechRequest(body: unknown, voices: readonly VoiceInfo[], defaultVoice: string, maxChars: number): SpeechRequest {
  if (!isRecord(body)) throw badRequest('invalid_body', 'the request body must be a JSON object');

  const input = body.input;
  if (input === undefined || input === null) throw badRequest('missing_input', '"input" is required: the text to speak', 'input');
  if (typeof input !== 'string') throw badRequest('invalid_type', '"input" must be a string', 'input');
  if (input.trim() === '') throw badRequest('empty_input', '"input" is empty: nothing to speak', 'input');
  let chars = 0;
  for (const _ of input) chars++;
  if (chars > maxChars) throw new ApiError(413, 'invalid_request_error', 'input_too_long', `"input" has ${chars} characters; this server accepts at most ${maxChars}`, 'input');

  // `model` is accepted for OpenAI compatibility (clients always send one) and otherwise ignored:
  // the voice decides the model.
  optionalString(body, 'model');

  const voiceName = optionalString(body, 'voice') || defaultVoice;
  if (!isValidVoiceName(voiceName)) throw badRequest('invalid_voice', '"voice" must be a voice name (letters, digits, ".", "_", "-"); see GET /v1/voices', 'voice');
  const voice = voices.find((v) => v.name === voiceName);
  if (!voice) throw badRequest('voice_not_found', `unknown voice "${voiceName}"; available: ${voices.map((v) => v.name).join(', ')}`, 'voice');

  const formatName = optionalString(body, 'response_format') ?? 'wav';
  if (!(RESPONSE_FORMATS as readonly string[]).includes(formatName)) {
    const why = UNSUPPORTED_OPENAI_FORMATS.includes(formatName) ? 'is not supported by this server' : 'is unknown';
    throw badRequest('unsupported_response_format', `response_format "${formatName}" ${why}; use one of ${RESPONSE_FORMATS.join(', ')}`, 'response_format');
  }
  const streamFormat = optionalString(body, 'stream_format');
  if (streamFormat !== undefined && streamFormat !== 'audio') throw badRequest('unsupported_stream_format', `stream_format "${streamFormat}" is not supported; audio is always streamed as it is synthesized`, 'stream_format');

  const options: SpeechOptions = {};
  const speed = optionalNumber(body, 'speed', SPEED_RANGE);
  if (speed !== undefined) options.speed = speed;
  const pitch = optionalNumber(body, 'pitch', PITCH_RANGE);
  if (pitch !== undefined) options.pitch = pitch;
  const speaker = chooseFrom(optionalString(body, 'speaker'), voice.speakers, 'speaker', voice.name);
  if (speaker !== undefined) options.speaker = speaker;
  const emotion = chooseFrom(optionalString(body, 'emotion'), voice.emotions, 'emotion', voice.name);
  if (emotion !== undefined) options.emotion = emotion;
  const ssml = optionalBoolean(body, 'ssml');
  if (ssml !== undefined) options.ssml = ssml;

  const format = formatName as ResponseFormat;
  const stream = optionalBoolean(body, 'stream') ?? true;
  return { voice, input, format, stream, options };
}
