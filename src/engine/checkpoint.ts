/**
 * Checkpoint files (Node only: uses node:fs; browsers use safetensors.ts on fetched bytes).
 *
 * A checkpoint is `<name>.safetensors` (the tensors, plus string metadata) and, when a config is
 * given, `<name>.json` beside it (the model/training config, pretty-printed). The config is also
 * embedded in the safetensors metadata under "config", so a lone .safetensors file still loads.
 *
 * Writes are atomic: the bytes go to `<path>.tmp-<pid>-<random>` (created exclusively), are
 * fsynced, then renamed over `<path>` (rename is atomic within a directory on POSIX and NTFS), and
 * the directory is fsynced (best effort). A crash or error at any point leaves either the old file
 * or the new one, never a torn file; on error the temp file is removed. The .json and the
 * .safetensors are each atomic, but not as a pair: the .json is written first.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Module } from './nn/module.js';
import { type DecodedSafetensors, type LoadIntoReport, type RawTensor, decodeSafetensors, encodeSafetensors, loadSafetensorsInto, tensorsFromRaw } from './safetensors.js';
import type { Tensor } from './tensor.js';

/** `<dir>/<name>.json` for `<dir>/<name>.safetensors` (or `<path>.json` for other extensions). */
export function configPathFor(path: string): string {
  const name = basename(path);
  const stem = name.endsWith('.safetensors') ? name.slice(0, -'.safetensors'.length) : name;
  return join(dirname(path), `${stem}.json`);
}

/** Writes `data` to `path` atomically (temp file in the same directory, fsync, rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let handle: fs.FileHandle | null = null;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(tmp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  // Persist the rename itself; some platforms (Windows) cannot open directories: ignore that.
  try {
    const dir = await fs.open(dirname(path), 'r');
    try { await dir.sync(); } finally { await dir.close(); }
  } catch { /* best effort */ }
}

export interface SaveCheckpointOptions {
  /** JSON-serializable config written beside the file as `<name>.json` (and into metadata "config"). */
  config?: object;
  /** Extra string metadata stored in the safetensors header. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Saves a module's state dict (or any name → tensor map) atomically.
 * @example await saveCheckpoint('runs/fs2/step-1000.safetensors', model, { config: modelConfig, metadata: { step: '1000' } });
 */
export async function saveCheckpoint(path: string, source: Module | ReadonlyMap<string, Tensor | RawTensor>, opts: SaveCheckpointOptions = {}): Promise<void> {
  const metadata: Record<string, string> = { ...(opts.metadata ?? {}) };
  let configText: string | null = null;
  if (opts.config !== undefined) {
    if (metadata.config !== undefined) throw new Error('saveCheckpoint: pass the config either as `config` or as metadata "config", not both');
    configText = JSON.stringify(opts.config, null, 2);
    if (configText === undefined) throw new Error('saveCheckpoint: config is not JSON-serializable');
    metadata.config = JSON.stringify(opts.config);
  }
  // Encode synchronously first: the tensors are read before any await, so a training loop that
  // continues meanwhile cannot tear the snapshot.
  const bytes = encodeSafetensors(source instanceof Module ? source.stateDict() : source, metadata);
  await fs.mkdir(dirname(path), { recursive: true });
  if (configText !== null) await writeFileAtomic(configPathFor(path), configText + '\n');
  await writeFileAtomic(path, bytes);
}

async function readDecoded(path: string): Promise<DecodedSafetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new Error(`checkpoint ${path}: cannot read: ${(e as Error).message}`);
  }
  return decodeSafetensors(bytes, { source: path });
}

async function readConfig(path: string, metadata: Readonly<Record<string, string>>): Promise<unknown> {
  const cfgPath = configPathFor(path);
  let text: string | null = null;
  try {
    text = await fs.readFile(cfgPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`checkpoint config ${cfgPath}: cannot read: ${(e as Error).message}`);
  }
  if (text !== null) {
    try { return JSON.parse(text) as unknown; } catch (e) { throw new Error(`checkpoint config ${cfgPath}: bad JSON: ${(e as Error).message}`); }
  }
  if (metadata.config !== undefined) {
    try { return JSON.parse(metadata.config) as unknown; } catch (e) { throw new Error(`checkpoint ${path}: metadata "config" is not JSON: ${(e as Error).message}`); }
  }
  return null;
}

export interface LoadedCheckpoint {
  /** Heap tensors (dispose them when done, or let the finalizer do it). */
  tensors: Map<string, Tensor>;
  /** The `<name>.json` beside the file, else the embedded metadata "config", else null. */
  config: unknown;
  metadata: Record<string, string>;
}

/** Reads a checkpoint into engine tensors (needs an initialized engine). */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const decoded = await readDecoded(path);
  const config = await readConfig(path, decoded.metadata);
  return { tensors: tensorsFromRaw(decoded.tensors), config, metadata: decoded.metadata };
}

/**
 * Loads a checkpoint straight into a module's parameters (no intermediate engine tensors).
 * Errors name the file and each missing, wrong-shaped or unexpected tensor.
 */
export async function loadInto(module: Module, path: string, opts: { strict?: boolean } = {}): Promise<LoadIntoReport & { config: unknown; metadata: Record<string, string> }> {
  const decoded = await readDecoded(path);
  const report = loadSafetensorsInto(module, decoded, { strict: opts.strict ?? true, source: path });
  return { ...report, config: await readConfig(path, decoded.metadata), metadata: decoded.metadata };
}
