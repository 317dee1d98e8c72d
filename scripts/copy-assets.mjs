// Copies the non-TypeScript files the compiled code reads at run time into dist/ (tsc emits only .js):
//   src/server/page.html  the web page `clip-tts serve` serves at /
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = ['src/server/page.html'];
for (const rel of assets) {
  const to = join(root, 'dist', rel);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, rel), to);
}
console.log(`copied ${assets.join(', ')} -> dist/`);
