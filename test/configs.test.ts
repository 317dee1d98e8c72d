// The model configs shipped in configs/ (the recipe's and the docs' --config files) load with the
// same parsers the CLI uses, and every value they set reaches the resolved config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAcousticConfig } from '../src/models/acoustic/config.js';
import { resolveVocoderConfig } from '../src/models/vocoder/config.js';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

const PARSERS: Record<string, (json: unknown) => unknown> = {
  acoustic: parseAcousticConfig,
  vocoder: resolveVocoderConfig,
};

/** Every leaf of `set` (except "preset") equals the same path in `resolved`. */
function assertApplied(set: unknown, resolved: unknown, path: string): void {
  if (set !== null && typeof set === 'object' && !Array.isArray(set)) {
    for (const [k, v] of Object.entries(set)) {
      if (path === '' && k === 'preset') continue;
      assert.ok(resolved !== null && typeof resolved === 'object' && k in resolved, `${path}${k} missing from the resolved config`);
      assertApplied(v, (resolved as Record<string, unknown>)[k], `${path}${k}.`);
    }
    return;
  }
  assert.deepEqual(resolved, set, `${path.slice(0, -1)}`);
}

test('configs/*.json parse with their model parsers and every value they set is applied', () => {
  const files = readdirSync(CONFIGS).filter((f) => f.endsWith('.json'));
  assert.ok(files.includes('acoustic-medium.json') && files.includes('vocoder-small-gan.json'), `configs/ has ${files.join(', ')}`);
  for (const file of files) {
    const kind = file.split('-')[0];
    const parse = PARSERS[kind];
    assert.ok(parse, `${file}: name it acoustic-… or vocoder-… so its parser is known`);
    const json = JSON.parse(readFileSync(CONFIGS + file, 'utf8')) as unknown;
    assertApplied(json, parse(json), '');
  }
});
