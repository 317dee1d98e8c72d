// Measures the English OOV fallback (G2P for words missing from CMUdict) on held-out CMUdict words.
// Usage: npx tsc -p tsconfig.json && node scripts/measure-g2p.mjs [--json]
// Held-out set: every 50th CMUdict word of >= 4 letters in sorted order (cmuHeldOutSplit). These words are
// hidden from the morphology lookup, and the shipped letter-to-sound rules were trained without them.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/src/text/index.js', import.meta.url);
if (!existsSync(dist)) {
  console.error('dist/src/text/index.js not found: build first (npx tsc -p tsconfig.json)');
  process.exit(1);
}
const { cmuHeldOutSplit, evaluateFallback, MorphologicalFallback, LtsFallback } = await import(dist.href);

const t0 = Date.now();
const { train, heldOut } = cmuHeldOutSplit();
const lookup = new Map(train);
const rows = [
  ['letter-to-sound rules only', new LtsFallback()],
  ['morphology + rules (default)', new MorphologicalFallback((w) => lookup.get(w))],
];
const pct = (x) => `${(x * 100).toFixed(2)}%`;
const results = [];
for (const [name, fallback] of rows) {
  const r = evaluateFallback(fallback, heldOut);
  results.push({ fallback: name, ...r });
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, null, 1));
} else {
  const d = results[0];
  console.log(`held-out words: ${d.words} (${d.phonemes} reference phonemes), training words: ${train.length}`);
  for (const r of results) {
    console.log(`${r.fallback.padEnd(30)} PER no stress ${pct(r.perNoStress).padStart(7)}  PER with stress ${pct(r.perWithStress).padStart(7)}  word error ${pct(r.wordErrorRate).padStart(7)}`);
  }
  console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
