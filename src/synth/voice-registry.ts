/**
 * Finding voices: a NAME is looked up in the package's bundled `voices/` folder and in extra
 * folders (the `voiceDirs` option, then the CLIP_TTS_VOICE_PATH environment variable); anything
 * that looks like a path is used directly.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readVoiceConfig, VOICE_CONFIG_FILE, type VoiceConfig } from './voice.js';

/** The voice `ClipTTS.load()` and `clip-tts speak` use when none is named. */
export const DEFAULT_VOICE = 'en-slt';

/** A voice found on disk. */
export interface ResolvedVoice {
  dir: string;
  config: VoiceConfig;
}

/** One entry of `listVoices`: a folder with a voice.json, valid or not. */
export interface VoiceListing {
  /** Folder name (what `--voice NAME` matches). */
  name: string;
  dir: string;
  /** The parsed config, when valid. */
  config?: VoiceConfig;
  /** Why the folder is not usable, when it is not. */
  problem?: string;
  /** Bytes of the config and weight files. */
  bytes: number;
}

let bundledDir: string | null = null;

/**
 * The package's `voices/` folder: found by walking up from this module to the folder holding the
 * package.json named "clip-tts" (works from dist/src/synth/, from src/synth/ and inside
 * node_modules/clip-tts/).
 */
export function bundledVoicesDir(): string {
  if (bundledDir !== null) return bundledDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'clip-tts') return (bundledDir = join(dir, 'voices'));
      } catch { /* not ours: keep walking */ }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // Layout fallback: dist/src/synth/ → the package root three levels up.
  return (bundledDir = fileURLToPath(new URL('../../../voices', import.meta.url)));
}

/** Folders searched for voice NAMEs, in order: bundled, `extra`, then CLIP_TTS_VOICE_PATH entries. */
export function voiceSearchDirs(extra: readonly string[] = []): string[] {
  const env = process.env.CLIP_TTS_VOICE_PATH;
  const fromEnv = env ? env.split(delimiter).filter(Boolean) : [];
  return [...new Set([bundledVoicesDir(), ...extra.map((d) => resolve(d)), ...fromEnv.map((d) => resolve(d))])];
}

/** True when `ref` should be read as a folder path rather than a voice name. */
function looksLikePath(ref: string): boolean {
  return isAbsolute(ref) || ref.includes('/') || ref.includes('\\') || ref.startsWith('.') || ref.startsWith('~');
}

/**
 * A voice NAME or folder → its folder and validated config.
 * @example resolveVoice('en-slt').dir        // …/node_modules/clip-tts/voices/en-slt
 * @example resolveVoice('./my-voice').config.name
 */
export function resolveVoice(ref: string = DEFAULT_VOICE, extraDirs: readonly string[] = []): ResolvedVoice {
  if (looksLikePath(ref)) {
    const dir = resolve(ref.startsWith('~') ? join(process.env.HOME ?? '', ref.slice(1)) : ref);
    if (!existsSync(dir)) throw new Error(`voice folder ${dir} does not exist`);
    return { dir, config: readVoiceConfig(dir) };
  }
  const dirs = voiceSearchDirs(extraDirs);
  for (const root of dirs) {
    const dir = join(root, ref);
    if (existsSync(join(dir, VOICE_CONFIG_FILE))) return { dir, config: readVoiceConfig(dir) };
  }
  // A bare folder name in the working directory still works ("--voice myvoice").
  if (existsSync(join(ref, VOICE_CONFIG_FILE))) return { dir: resolve(ref), config: readVoiceConfig(ref) };
  const known = listVoices(extraDirs).filter((v) => v.config && !v.problem).map((v) => v.name);
  if (ref === DEFAULT_VOICE && !known.includes(ref)) {
    throw new Error(`the bundled voice "${DEFAULT_VOICE}" is missing from ${bundledVoicesDir()} (this install has no voice weights): ` +
      `pass a voice folder (--voice DIR), or train one (docs/training-a-voice.md)`);
  }
  throw new Error(`no voice named "${ref}" (looked in ${dirs.join(', ')}); ` +
    (known.length ? `available: ${known.join(', ')}` : 'no voices are installed') + '; a folder path also works');
}

function fileBytes(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}

/**
 * Every voice folder in the search folders (first one wins on a name clash), valid or not.
 * @example listVoices().filter((v) => v.config).map((v) => v.name) // ['en-slt']
 */
export function listVoices(extraDirs: readonly string[] = []): VoiceListing[] {
  const seen = new Set<string>();
  const out: VoiceListing[] = [];
  for (const root of voiceSearchDirs(extraDirs)) {
    let names: string[];
    try { names = readdirSync(root).sort(); } catch { continue; }
    for (const name of names) {
      const dir = join(root, name);
      if (seen.has(name) || !existsSync(join(dir, VOICE_CONFIG_FILE))) continue;
      seen.add(name);
      try {
        const config = readVoiceConfig(dir);
        const missing = [config.acoustic, config.vocoder].filter((f) => !existsSync(join(dir, f)));
        const bytes = [VOICE_CONFIG_FILE, config.acoustic, config.vocoder].reduce((n, f) => n + fileBytes(join(dir, f)), 0);
        if (missing.length) out.push({ name, dir, config, bytes, problem: `missing ${missing.join(', ')}` });
        else out.push({ name, dir, config, bytes });
      } catch (e) {
        out.push({ name, dir, bytes: fileBytes(join(dir, VOICE_CONFIG_FILE)), problem: (e as Error).message });
      }
    }
  }
  return out;
}
