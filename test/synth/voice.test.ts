// Voice folder format: voice.json validation, name/path lookup, listing, and download from a URL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  bundledVoicesDir, downloadVoice, listVoices, parseVoiceConfig, readVoiceConfig, resolveVoice, VoiceFormatError,
} from '../../src/synth/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'clip-tts-voice-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const VALID = {
  format: 'clip-tts-voice', version: 1, name: 'test-voice', language: 'en', description: 'a test voice',
  sampleRate: 22050, acoustic: 'acoustic.safetensors', vocoder: 'vocoder.safetensors', license: 'CC0', training: { steps: 1 },
};

function writeVoice(root: string, name: string, config: object = { ...VALID, name }, files = true): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'voice.json'), JSON.stringify(config));
  if (files) for (const f of ['acoustic.safetensors', 'vocoder.safetensors']) writeFileSync(join(dir, f), `${name}/${f}`);
  return dir;
}

test('voice.json: a valid config parses; every bad field is named with the file', () => {
  assert.deepEqual(parseVoiceConfig(VALID, 'v.json'), VALID);
  assert.throws(() => parseVoiceConfig({ ...VALID, format: 'other', version: 2, sampleRate: 'fast', acoustic: '../x.safetensors', name: 'a b', license: '' }, 'voices/x/voice.json'), (e: unknown) => {
    assert.ok(e instanceof VoiceFormatError);
    const m = e.message;
    assert.match(m, /^voices\/x\/voice\.json: not a valid ClipTTS voice config/);
    assert.match(m, /"format" must be "clip-tts-voice", got "other"/);
    assert.match(m, /"version" must be 1, got 2 \(made by a newer clip-tts: upgrade\)/);
    assert.match(m, /"sampleRate" must be an integer in 8000\.\.192000 Hz, got "fast"/);
    assert.match(m, /"acoustic" is "\.\.\/x\.safetensors": a \.safetensors file name inside the voice folder/);
    assert.match(m, /"name" is "a b"/);
    assert.match(m, /"license" must be a non-empty string/);
    return true;
  });
  assert.throws(() => parseVoiceConfig([1], 'a.json'), /a\.json: expected a JSON object/);
  const dir = join(tmp, 'badjson');
  mkdirSync(dir);
  writeFileSync(join(dir, 'voice.json'), '{"format": ');
  assert.throws(() => readVoiceConfig(dir), /voice\.json: bad JSON/);
  assert.throws(() => readVoiceConfig(join(tmp, 'nothing-here')), /not a voice folder \(no voice\.json\)/);
});

test('voice lookup: names in extra folders and CLIP_TTS_VOICE_PATH, folder paths, clear errors', () => {
  const root = join(tmp, 'voices-a'), envRoot = join(tmp, 'voices-b');
  writeVoice(root, 'alpha');
  writeVoice(envRoot, 'beta');
  writeVoice(root, 'broken', { ...VALID, name: 'broken', version: 9 });
  writeVoice(root, 'nofiles', { ...VALID, name: 'nofiles' }, false);
  const before = process.env.CLIP_TTS_VOICE_PATH;
  process.env.CLIP_TTS_VOICE_PATH = envRoot;
  try {
    assert.equal(resolveVoice('alpha', [root]).config.name, 'alpha');
    assert.equal(resolveVoice('beta', [root]).dir, join(envRoot, 'beta'));
    assert.equal(resolveVoice(join(root, 'alpha')).config.name, 'alpha');
    assert.throws(() => resolveVoice('gamma', [root]), /no voice named "gamma" \(looked in .*voices-a.*\); available: .*alpha.*beta/);
    assert.throws(() => resolveVoice(join(tmp, 'missing-dir')), /voice folder .*missing-dir does not exist/);
    assert.throws(() => resolveVoice('broken', [root]), /"version" must be 1, got 9/);
    const listing = listVoices([root]);
    const byName = new Map(listing.map((v) => [v.name, v]));
    assert.equal(byName.get('alpha')?.config?.description, 'a test voice');
    assert.equal(byName.get('alpha')?.problem, undefined);
    assert.ok((byName.get('alpha')?.bytes ?? 0) > 0);
    assert.equal(byName.get('beta')?.dir, join(envRoot, 'beta'));
    assert.match(byName.get('broken')?.problem ?? '', /"version" must be 1/);
    assert.equal(byName.get('nofiles')?.problem, 'missing acoustic.safetensors, vocoder.safetensors');
  } finally {
    if (before === undefined) delete process.env.CLIP_TTS_VOICE_PATH; else process.env.CLIP_TTS_VOICE_PATH = before;
  }
});

test('the bundled voices folder is the package root voices/ (found from the compiled module)', () => {
  const dir = bundledVoicesDir();
  assert.ok(dir.endsWith('voices'));
  const pkg = JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { name: string };
  assert.equal(pkg.name, 'clip-tts');
});

test('downloadVoice: fetches voice.json and the two files it names over HTTP; HTTP errors name the URL', async () => {
  const src = writeVoice(join(tmp, 'served'), 'remote');
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/voices\/remote\/([\w.-]+)$/.exec(req.url ?? '');
    if (!m) { res.statusCode = 404; res.end('not found'); return; }
    try { res.end(readFileSync(join(src, m[1]!))); } catch { res.statusCode = 404; res.end('not found'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const v = await downloadVoice(`${base}/voices/remote`);
    try {
      assert.equal(v.config.name, 'remote');
      assert.equal(readFileSync(join(v.dir, 'vocoder.safetensors'), 'utf8'), 'remote/vocoder.safetensors');
      assert.deepEqual(requests, ['/voices/remote/voice.json', '/voices/remote/acoustic.safetensors', '/voices/remote/vocoder.safetensors']);
    } finally {
      v.remove();
    }
    await assert.rejects(downloadVoice(`${base}/voices/nope/`), new RegExp(`${base}/voices/nope/voice\\.json: download failed: HTTP 404`));
  } finally {
    server.close();
  }
});
