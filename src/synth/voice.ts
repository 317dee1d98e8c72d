/**
 * The voice folder format: `voice.json` (this config) beside the two inference-only weight files
 * it names. A voice folder is self-contained (each .safetensors embeds its model config in its
 * metadata), so it can be copied, served over HTTP or shipped inside the npm package as is.
 *
 * ```json
 * { "format": "clip-tts-voice", "version": 1, "name": "en-slt", "language": "en",
 *   "description": "US English, female", "sampleRate": 22050,
 *   "acoustic": "acoustic.safetensors", "vocoder": "vocoder.safetensors",
 *   "license": "MIT", "training": { "corpus": "…", "steps": 40000 } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VOICE_FORMAT = 'clip-tts-voice';
export const VOICE_VERSION = 1;
/** The config file every voice folder holds. */
export const VOICE_CONFIG_FILE = 'voice.json';

/** `voice.json`. */
export interface VoiceConfig {
  format: typeof VOICE_FORMAT;
  version: typeof VOICE_VERSION;
  /** Short name used with `--voice NAME` (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** Language the front-end reads text in: 'en', 'zh' (Mandarin with English runs), or another tag (auto-detect). */
  language: string;
  description: string;
  /** Output sample rate (must equal the vocoder's). */
  sampleRate: number;
  /** Acoustic model weights, a file name inside the folder. */
  acoustic: string;
  /** Vocoder weights, a file name inside the folder. */
  vocoder: string;
  license: string;
  /** Free-form provenance: corpus, recipe, steps, measured quality. */
  training?: Record<string, unknown>;
}

/** A voice.json that does not follow the format; the message names the file and every bad field. */
export class VoiceFormatError extends Error {
  override name = 'VoiceFormatError';
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Weight files are plain names inside the folder (no directories: a voice URL must not reach elsewhere). */
const FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\.safetensors$/;

/**
 * Checks parsed voice.json content; `source` (a path or URL) is named in the error, which lists
 * every problem at once.
 * @example parseVoiceConfig(JSON.parse(text), 'voices/en-slt/voice.json').name // 'en-slt'
 */
export function parseVoiceConfig(json: unknown, source: string): VoiceConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new VoiceFormatError(`${source}: expected a JSON object with "format": "${VOICE_FORMAT}"`);
  }
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  const str = (field: string, pattern?: RegExp, hint?: string): string => {
    const v = o[field];
    if (typeof v !== 'string' || v.trim() === '') { problems.push(`"${field}" must be a non-empty string${hint ? ` (${hint})` : ''}`); return ''; }
    if (pattern && !pattern.test(v)) problems.push(`"${field}" is "${v}": ${hint ?? `must match ${pattern}`}`);
    return v;
  };
  if (o.format !== VOICE_FORMAT) problems.push(`"format" must be "${VOICE_FORMAT}", got ${JSON.stringify(o.format)}`);
  if (o.version !== VOICE_VERSION) problems.push(`"version" must be ${VOICE_VERSION}, got ${JSON.stringify(o.version)}${typeof o.version === 'number' && o.version > VOICE_VERSION ? ' (made by a newer clip-tts: upgrade)' : ''}`);
  const name = str('name', NAME_PATTERN, 'letters, digits, ".", "_" or "-"');
  const language = str('language');
  const description = typeof o.description === 'string' ? o.description : (problems.push('"description" must be a string'), '');
  const sampleRate = o.sampleRate;
  if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000) {
    problems.push(`"sampleRate" must be an integer in 8000..192000 Hz, got ${JSON.stringify(sampleRate)}`);
  }
  const fileHint = 'a .safetensors file name inside the voice folder (no directories)';
  const acoustic = str('acoustic', FILE_PATTERN, fileHint);
  const vocoder = str('vocoder', FILE_PATTERN, fileHint);
  if (acoustic && acoustic === vocoder) problems.push('"acoustic" and "vocoder" name the same file');
  const license = str('license');
  const training = o.training;
  if (training !== undefined && (typeof training !== 'object' || training === null || Array.isArray(training))) problems.push('"training" must be an object when present');
  if (problems.length) throw new VoiceFormatError(`${source}: not a valid ClipTTS voice config:\n  - ${problems.join('\n  - ')}`);
  const config: VoiceConfig = { format: VOICE_FORMAT, version: VOICE_VERSION, name, language, description, sampleRate: sampleRate as number, acoustic, vocoder, license };
  if (training !== undefined) config.training = training as Record<string, unknown>;
  return config;
}

/**
 * Reads and checks `DIR/voice.json`.
 * @example readVoiceConfig('voices/en-slt').acoustic // 'acoustic.safetensors'
 */
export function readVoiceConfig(dir: string): VoiceConfig {
  const path = join(dir, VOICE_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VoiceFormatError(code === 'ENOENT' ? `${dir}: not a voice folder (no ${VOICE_CONFIG_FILE})` : `${path}: cannot read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VoiceFormatError(`${path}: bad JSON: ${(e as Error).message}`);
  }
  return parseVoiceConfig(json, path);
}
