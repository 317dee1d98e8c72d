/**
 * `ClipTTS.load('https://…/en-slt/')`: fetches voice.json and the two weight files it names into
 * a temporary folder (the caller loads and then removes it). This is the only place ClipTTS
 * downloads anything, and only when given an http(s) URL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVoiceConfig, VOICE_CONFIG_FILE, type VoiceConfig } from './voice.js';

/** True for http: and https: URLs (strings or URL objects). */
export function isVoiceUrl(ref: string | URL): boolean {
  if (ref instanceof URL) return ref.protocol === 'http:' || ref.protocol === 'https:';
  return /^https?:\/\//i.test(ref);
}

/** The voice.json URL for a folder URL (`…/en-slt` or `…/en-slt/`) or a voice.json URL. */
export function voiceConfigUrl(ref: string | URL): URL {
  const u = new URL(String(ref));
  if (u.pathname.endsWith(`/${VOICE_CONFIG_FILE}`)) return u;
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL(VOICE_CONFIG_FILE, u);
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${url.href}: download failed: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`${url.href}: download failed: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A downloaded voice in a temporary folder; `remove()` deletes it. */
export interface DownloadedVoice {
  dir: string;
  config: VoiceConfig;
  remove(): void;
}

/**
 * Downloads a voice folder served over HTTP(S) into a temporary folder.
 * @example const v = await downloadVoice('https://example.com/voices/en-slt/'); … v.remove();
 */
export async function downloadVoice(ref: string | URL): Promise<DownloadedVoice> {
  const configUrl = voiceConfigUrl(ref);
  const bytes = await fetchBytes(configUrl);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${configUrl.href}: bad JSON: ${(e as Error).message}`);
  }
  const config = parseVoiceConfig(json, configUrl.href);
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-voice-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    writeFileSync(join(dir, VOICE_CONFIG_FILE), bytes);
    // File names were validated as plain names, so they resolve inside the voice's URL folder.
    for (const file of [config.acoustic, config.vocoder]) writeFileSync(join(dir, file), await fetchBytes(new URL(file, configUrl)));
  } catch (e) {
    remove();
    throw e;
  }
  return { dir, config, remove };
}
