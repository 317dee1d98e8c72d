/**
 * Training runs → a voice folder: inference-only weights (no optimizer state, no discriminators,
 * no EMA shadows) with their model config embedded, and a voice.json describing them.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../engine/checkpoint.js';
import { encodeSafetensors } from '../engine/safetensors.js';
import { VocoderSynthesizer } from '../models/vocoder/vocode.js';
import { exportAcoustic } from '../models/acoustic/synthesizer.js';
import { VOICE_CONFIG_FILE, VOICE_FORMAT, VOICE_VERSION, parseVoiceConfig, type VoiceConfig } from './voice.js';

/** The size budget of a bundled voice (the limit). */
export const VOICE_SIZE_BUDGET_BYTES = 40 * 1024 * 1024;

/** The string metadata of a .safetensors file (header only; the tensors are not read). */
export function readSafetensorsMetadata(path: string): Record<string, string> {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) < 8) throw new Error(`${path}: not a safetensors file (too short)`);
    const len = Number(head.readBigUInt64LE(0));
    if (len > 100_000_000 || len > statSync(path).size) throw new Error(`${path}: not a safetensors file (header length ${len})`);
    const header = Buffer.alloc(len);
    readSync(fd, header, 0, len, 8);
    const json = JSON.parse(header.toString('utf8')) as { __metadata__?: Record<string, string> };
    return json.__metadata__ ?? {};
  } finally {
    closeSync(fd);
  }
}

/** `DIR/checkpoint.safetensors` for a run folder, the path itself for a file. */
function checkpointFile(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'checkpoint.safetensors') : path;
}

/** The optimizer step a trainer checkpoint was saved at, or null. */
function trainerStep(path: string): number | null {
  try {
    const raw = readSafetensorsMetadata(checkpointFile(path)).trainer;
    const step = raw ? (JSON.parse(raw) as { step?: unknown }).step : undefined;
    return typeof step === 'number' ? step : null;
  } catch {
    return null;
  }
}

/**
 * A train-vocoder run (or checkpoint) → generator weights only, config embedded (needs a running engine).
 * @example await exportVocoder('runs/vocoder-ft', 'voices/en-slt/vocoder.safetensors');
 */
export async function exportVocoder(runDir: string, outFile: string): Promise<void> {
  const synth = await VocoderSynthesizer.load(runDir);
  try {
    const step = trainerStep(runDir);
    const metadata: Record<string, string> = { config: JSON.stringify({ kind: 'clip-tts-vocoder', vocoder: synth.config }) };
    if (step !== null) metadata.step = String(step);
    await writeFileAtomic(outFile, encodeSafetensors(synth.model.stateDict(), metadata));
  } finally {
    synth.dispose();
  }
}

export interface ExportVoiceOptions {
  /** Acoustic training run folder (or checkpoint). */
  acoustic: string;
  /** Vocoder training run folder (or checkpoint), e.g. the fine-tuned one. */
  vocoder: string;
  /** Voice folder to write (created; an existing voice there is replaced). */
  outDir: string;
  name: string;
  description?: string;
  /** Default 'en'. */
  language?: string;
  /** Default 'unspecified': state the training data's terms. */
  license?: string;
  /** Extra provenance merged into voice.json "training". */
  training?: Record<string, unknown>;
}

export interface ExportedVoice {
  dir: string;
  config: VoiceConfig;
  bytes: { acoustic: number; vocoder: number; total: number };
}

/**
 * Writes a voice folder from training runs (needs a running engine). voice.json is written last,
 * so an interrupted export never looks like a finished voice.
 * @example await exportVoice({ acoustic: 'runs/acoustic', vocoder: 'runs/vocoder-ft', outDir: 'voices/en-slt', name: 'en-slt' });
 */
export async function exportVoice(o: ExportVoiceOptions): Promise<ExportedVoice> {
  const dir = resolve(o.outDir);
  for (const [role, path] of [['acoustic', o.acoustic], ['vocoder', o.vocoder]] as const) {
    if (!existsSync(path)) throw new Error(`${role} run ${path} does not exist`);
  }
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, VOICE_CONFIG_FILE), { force: true });
  const acousticFile = 'acoustic.safetensors', vocoderFile = 'vocoder.safetensors';
  await exportAcoustic(o.acoustic, join(dir, acousticFile));
  await exportVocoder(o.vocoder, join(dir, vocoderFile));
  const sampleRate = JSON.parse(readSafetensorsMetadata(join(dir, vocoderFile)).config!) as { vocoder: { mel: { sampleRate: number } } };
  const config = parseVoiceConfig({
    format: VOICE_FORMAT, version: VOICE_VERSION, name: o.name, language: o.language ?? 'en',
    description: o.description ?? '', sampleRate: sampleRate.vocoder.mel.sampleRate,
    acoustic: acousticFile, vocoder: vocoderFile, license: o.license ?? 'unspecified',
    training: {
      acousticRun: o.acoustic, acousticStep: trainerStep(o.acoustic),
      vocoderRun: o.vocoder, vocoderStep: trainerStep(o.vocoder),
      exportedAt: new Date().toISOString(),
      ...(o.training ?? {}),
    },
  }, `voice ${o.name}`);
  await writeFileAtomic(join(dir, VOICE_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  const acoustic = statSync(join(dir, acousticFile)).size, vocoder = statSync(join(dir, vocoderFile)).size;
  return { dir, config, bytes: { acoustic, vocoder, total: acoustic + vocoder + statSync(join(dir, VOICE_CONFIG_FILE)).size } };
}
