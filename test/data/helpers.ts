/** Shared helpers for the data tests (not a test file itself). */
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Repository root (tests run from dist/test/data/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DATASETS = join(ROOT, 'fixtures', 'datasets');
export const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cliptts-data-'));
}
