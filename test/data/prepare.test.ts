import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataset, PrepareError, type ValidationReport } from '../../src/data/prepare.js';
import { readManifest } from '../../src/data/manifest.js';
import { FeatureLoader } from '../../src/data/loader.js';
import { DATASETS, MAIN, tempDir } from './helpers.js';

const prepare = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'prepare', ...args], { encoding: 'utf8' });
const readReport = (dir: string): ValidationReport => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ValidationReport;

test('clip-tts prepare on the LJSpeech fixture: features, manifest, report; bad wavs skipped', () => {
  const out = join(tempDir(), 'features');
  const r = prepare(join(DATASETS, 'ljspeech'), '--out', out, '--jobs', '2');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /4 of 6 items kept/);
  assert.match(r.stdout, /unreadable-wav: 1 skipped/);
  assert.match(r.stdout, /missing-wav: 1 skipped/);
  const report = readReport(out);
  assert.equal(report.kept, 4);
  assert.equal(report.skipped, 2);
  assert.deepEqual(report.issues.filter((i) => i.severity === 'error').map((i) => [i.id, i.code]), [['LJ-0005', 'unreadable-wav'], ['LJ-0006', 'missing-wav']]);
  assert.match(report.issues.find((i) => i.id === 'LJ-0005')!.message, /truncated/);
  assert.equal(report.issues.find((i) => i.id === 'LJ-0006')!.where, 'metadata.csv:6');

  const m = readManifest(out);
  assert.equal(m.items.length, 4);
  assert.deepEqual(m.items.map((x) => x.id), ['LJ-0001', 'LJ-0002', 'LJ-0003', 'LJ-0004']);
  assert.equal(m.items.filter((x) => x.split === 'val').length, 1);
  assert.equal(m.melConfig.sampleRate, 22050);
  assert.equal(m.symbols.format, 'clip-tts-symbols');
  assert.ok(m.stats.pitch.mean > 80 && m.stats.pitch.mean < 400, `pitch mean ${m.stats.pitch.mean}`);
  assert.ok(m.stats.energy.std > 0);
  for (const it of m.items) {
    assert.ok(existsSync(join(out, it.file)));
    assert.ok(it.frames > 40 && it.phonemes > 3, JSON.stringify(it));
    assert.ok(it.trim[0] >= 0 && it.trim[1] > it.trim[0]);
  }
});

test('--strict stops at the first problem with exit code 1 and writes no manifest', () => {
  const out = join(tempDir(), 'features');
  const r = prepare(join(DATASETS, 'ljspeech'), '--out', out, '--strict', '--jobs', '1', '--quiet');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--strict: .*LJ-000[56]/);
  assert.ok(!existsSync(join(out, 'manifest.json')));
});

test('usage errors: unknown format, missing --out', () => {
  assert.equal(prepare(join(DATASETS, 'ljspeech'), '--out', tempDir(), '--format', 'timit').status, 2);
  assert.equal(prepare(join(DATASETS, 'ljspeech')).status, 2);
});

test('prepareDataset in-process on the multi-speaker fixtures: speaker, emotion and language maps', async () => {
  const esd = await prepareDataset({ datasetDir: join(DATASETS, 'esd'), outDir: tempDir(), jobs: 0, progress: false });
  assert.equal(esd.report.kept, 4);
  assert.deepEqual(esd.manifest.speakers, { '0001': 0, '0011': 1 });
  assert.deepEqual(esd.manifest.emotions, { Angry: 0, Neutral: 1 });
  assert.deepEqual(esd.manifest.languages, { en: 0, zh: 1 });
  const baker = await prepareDataset({ datasetDir: join(DATASETS, 'baker'), outDir: tempDir(), jobs: 0, progress: false, minSeconds: 1.5 });
  assert.equal(baker.report.kept + (baker.report.byCode['too-short']?.errors ?? 0), 4);
  assert.ok((baker.report.byCode['too-short']?.errors ?? 0) >= 1);
  await assert.rejects(prepareDataset({ datasetDir: join(DATASETS, 'baker'), outDir: tempDir(), jobs: 0, progress: false, minSeconds: 1.5, strict: true }),
    (e: Error) => e instanceof PrepareError && e.issue.code === 'too-short');
});

test('resume: a run killed mid-way, re-run, equals an uninterrupted run', async () => {
  // A bigger corpus: the fixture's good wavs copied under new ids.
  const corpus = tempDir();
  mkdirSync(join(corpus, 'wavs'));
  const src = readFileSync(join(DATASETS, 'ljspeech', 'metadata.csv'), 'utf8').trim().split('\n').slice(0, 4).map((l) => l.split('|'));
  const lines: string[] = [];
  for (let k = 0; k < 40; k++) {
    for (const [id, text] of src) {
      const nid = `R${String(k).padStart(3, '0')}-${id}`;
      copyFileSync(join(DATASETS, 'ljspeech', 'wavs', `${id}.wav`), join(corpus, 'wavs', `${nid}.wav`));
      lines.push(`${nid}|${text}|${text}`);
    }
  }
  writeFileSync(join(corpus, 'metadata.csv'), lines.join('\n') + '\n');
  const total = lines.length;

  const out = join(tempDir(), 'features');
  const child = spawn(process.execPath, [MAIN, 'prepare', corpus, '--out', out, '--jobs', '1', '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const count = (): number => (existsSync(join(out, 'items')) ? readdirSync(join(out, 'items')).filter((n) => n.endsWith('.feat')).length : 0);
  while (count() < 5) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;
  const done = count();
  assert.ok(done >= 5 && done < total, `killed after ${done} of ${total} items`);
  assert.ok(!existsSync(join(out, 'manifest.json')));

  const again = prepare(corpus, '--out', out, '--quiet');
  assert.equal(again.status, 0, again.stderr);
  const report = readReport(out);
  assert.equal(report.kept, total);
  assert.ok(report.reused >= done, `reused ${report.reused}, ${done} were finished`);
  assert.equal(report.reused + report.computed, total);
  assert.ok(!readdirSync(join(out, 'items')).some((n) => n.includes('.tmp-')));

  const ref = join(tempDir(), 'features');
  assert.equal(prepare(corpus, '--out', ref, '--quiet').status, 0);
  assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), readFileSync(join(ref, 'manifest.json'), 'utf8'));
  for (const name of readdirSync(join(ref, 'items'))) {
    assert.ok(readFileSync(join(out, 'items', name)).equals(readFileSync(join(ref, 'items', name))), name);
  }
  // A second re-run computes nothing.
  assert.equal(prepare(corpus, '--out', out, '--quiet').status, 0);
  assert.equal(readReport(out).computed, 0);

  // The loader reads the resumed cache.
  const loader = FeatureLoader.open(out, { batchSize: 8, split: 'all' });
  let seen = 0;
  for await (const b of loader.batches(0)) seen += b.ids.length;
  assert.equal(seen, total);
});
