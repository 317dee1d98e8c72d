// The build's last step: what tsc does not do.
//   - copies the non-TypeScript files the compiled code reads at run time into dist/ (tsc emits only .js):
//       src/server/page.html  the web page `clip-tts serve` serves at /
//   - makes the `clip-tts` bin (package.json "bin") executable: tsc writes it 0644, and `npx clip-tts`
//     in a fresh clone runs the file itself ("Permission denied" otherwise).
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = ['src/server/page.html'];
for (const rel of assets) {
  const to = join(root, 'dist', rel);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, rel), to);
}
const bins = Object.values(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin ?? {});
for (const rel of bins) chmodSync(join(root, rel), 0o755);
console.log(`copied ${assets.join(', ')} -> dist/; made ${bins.join(', ')} executable`);
