/**
 * Loading a trained acoustic model for inference, and exporting a training run's inference
 * weights (EMA weights when the run keeps them; no optimizer state) for a voice folder.
 *
 * An exported file is one .safetensors whose metadata "config" holds the run config (model shape,
 * data statistics, symbol table, mel configuration): self-describing, so it can be fetched by a
 * browser and built with `AcousticSynthesizer.fromSafetensors` (no Node API on that path).
 */
import { decodeSafetensors, isEngineReady, loadSafetensorsInto } from '../../engine/index.js';
import { SymbolTable } from '../../text/index.js';
import { resolveMelConfig, type MelConfig } from '../../audio/mel.js';
import { AcousticModel } from './model.js';
import { parseAcousticRunConfig, type AcousticRunConfig } from './train.js';
import type { AcousticControls, AcousticInference, AcousticResult } from './types.js';

/** Picks the inference tensors of a checkpoint: `ema.*` if present, else `model.*`, else bare names. */
function inferenceTensors<T>(all: ReadonlyMap<string, T>): ReadonlyMap<string, T> {
  for (const prefix of ['ema.', 'model.']) {
    const picked = new Map<string, T>();
    for (const [k, t] of all) if (k.startsWith(prefix)) picked.set(k.slice(prefix.length), t);
    if (picked.size) return picked;
  }
  return all;
}

/**
 * The model (not frozen: its weights can still be read, saved or trained) and run config from
 * safetensors bytes: an exported file or a trainer checkpoint with embedded config.
 */
export function acousticModelFromSafetensors(bytes: Uint8Array, source = 'acoustic model'): { model: AcousticModel; runConfig: AcousticRunConfig } {
  if (!isEngineReady()) throw new Error('acoustic model: initialise the engine first (await initEngine())');
  const decoded = decodeSafetensors(bytes, { source });
  const raw = decoded.metadata.config;
  if (raw === undefined) throw new Error(`${source}: no embedded config (metadata "config"); export the run with \`clip-tts export-voice\``);
  let json: unknown;
  try { json = JSON.parse(raw); } catch (e) { throw new Error(`${source}: metadata "config" is not JSON: ${(e as Error).message}`); }
  const runConfig = parseAcousticRunConfig(json, source);
  const model = new AcousticModel(runConfig, runConfig.data);
  try {
    // Straight from the decoded bytes into the parameters: no engine copy of the whole file
    // (a trainer checkpoint also holds optimizer state).
    loadSafetensorsInto(model, { tensors: new Map(inferenceTensors(decoded.tensors)), metadata: decoded.metadata }, { source });
  } catch (e) {
    model.dispose();
    throw new Error(`${source}: the weights do not fit the config: ${(e as Error).message}`);
  }
  return { model, runConfig };
}

/**
 * A loaded acoustic model.
 * @example
 *   const am = await AcousticSynthesizer.load('voices/en-slt/acoustic.safetensors');
 *   const { mel, frames } = am.infer(am.symbols.encode(['HH', 'AH0', 'L', 'OW1']), { speed: 1.1 });
 */
export class AcousticSynthesizer implements AcousticInference {
  readonly symbols: SymbolTable;
  readonly melConfig: MelConfig;

  constructor(readonly model: AcousticModel, readonly runConfig: AcousticRunConfig) {
    this.symbols = SymbolTable.fromJSON(runConfig.symbols);
    this.melConfig = resolveMelConfig(runConfig.melConfig as Partial<MelConfig>);
    if (this.symbols.size !== runConfig.data.vocabSize) throw new Error(`acoustic model: its symbol table has ${this.symbols.size} symbols, the model expects ${runConfig.data.vocabSize}`);
    model.eval();
  }

  get speakers(): readonly string[] { return this.model.data.speakers; }
  get emotions(): readonly string[] { return this.model.data.emotions; }

  /** Builds the model from safetensors bytes (an exported file or a trainer checkpoint with embedded config). */
  static fromSafetensors(bytes: Uint8Array, source = 'acoustic model'): AcousticSynthesizer {
    const { model, runConfig } = acousticModelFromSafetensors(bytes, source);
    // The model is this synthesizer's alone and never trains: convert its weights for inference once.
    return new AcousticSynthesizer(model.freeze(), runConfig);
  }

  /** Loads an exported .safetensors file or a `clip-tts train` run folder (Node). */
  static async load(path: string): Promise<AcousticSynthesizer> {
    const { readFile, stat } = await import('node:fs/promises');
    const { join } = await import('node:path');
    let file = path;
    try {
      if ((await stat(path)).isDirectory()) file = join(path, 'checkpoint.safetensors');
    } catch {
      throw new Error(`${path}: no such acoustic model file or run folder`);
    }
    let bytes: Uint8Array;
    try { bytes = await readFile(file); } catch (e) { throw new Error(`${file}: cannot read the acoustic model: ${(e as Error).message}`); }
    return AcousticSynthesizer.fromSafetensors(bytes, file);
  }

  infer(phonemes: Int32Array, controls: AcousticControls = {}): AcousticResult {
    for (const id of phonemes) if (!Number.isInteger(id) || id <= 0 || id >= this.symbols.size) throw new RangeError(`phoneme id ${id} is outside the symbol table (1–${this.symbols.size - 1})`);
    const out = this.model.infer(phonemes, controls);
    return { mel: out.mel, frames: out.frames, nMels: this.model.data.nMels, durations: out.durations };
  }

  /** Frees the weights. */
  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Writes a run's inference weights (EMA if kept) with the run config embedded, atomically.
 * @example await exportAcoustic('runs/am', 'voices/my-voice/acoustic.safetensors');
 */
export async function exportAcoustic(runDir: string, outFile: string): Promise<{ parameters: number; bytes: number }> {
  const { readFile, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { saveCheckpoint } = await import('../../engine/node.js');
  const file = (await stat(runDir).catch(() => null))?.isDirectory() ? join(runDir, 'checkpoint.safetensors') : runDir;
  const { model, runConfig } = acousticModelFromSafetensors(await readFile(file), file);
  try {
    const { symbols, melConfig, data, textEncoderInit, ...config } = runConfig;
    await saveCheckpoint(outFile, model.stateDict(), { metadata: { config: JSON.stringify({ ...config, data, symbols, melConfig, textEncoderInit }), format: 'clip-tts-acoustic' } });
    return { parameters: model.parameterCount(), bytes: (await stat(outFile)).size };
  } finally {
    model.dispose();
  }
}
