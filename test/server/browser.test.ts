// The web page in real Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
// real server over a tiny voice: type, adjust speed, press Speak, hear it through to the end with
// words highlighted and the mel drawn. Saves test-artifacts/server/web-page.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ClipTTSService, SpeechServer } from '../../src/server/index.js';
import { ROOT, writeTinyVoiceFolder } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'server');
// CI installs Chromium (.ci/run) and must run this test; elsewhere it is skipped when absent.
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `${CHROMIUM} not installed (apt-get install chromium)` : false;

let voicesDir: string;
let service: ClipTTSService;
let server: SpeechServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  voicesDir = await writeTinyVoiceFolder('tiny');
  service = await ClipTTSService.load({ voiceDirs: [voicesDir], threads: 1, log: () => {} });
  server = new SpeechServer({ service });
  await server.listen(0);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await server?.close();
  await service?.close();
  if (voicesDir) rmSync(voicesDir, { recursive: true, force: true });
});

test('type, speak, play to the end: duration, highlighted words, mel, download', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

  await page.goto(server.url);
  // The voice list comes from GET /v1/voices.
  await page.locator('#status[data-state="idle"]').waitFor();
  assert.deepEqual(await page.locator('#voice option').allTextContents(), ['tiny (en)']);

  const text = 'Hello from the browser. Every word is highlighted in turn.';
  await page.getByLabel('Text to speak').fill(text);
  const speed = page.getByLabel(/Speed/);
  await speed.focus();
  await page.keyboard.press('ArrowRight'); // one step: 1.05
  assert.equal(await page.locator('#speed-value').textContent(), '1.05×');

  const requestSeen = page.waitForRequest((r) => r.url().endsWith('/v1/audio/speech') && r.method() === 'POST');
  await page.getByRole('button', { name: 'Speak' }).click();
  const sent = JSON.parse((await requestSeen).postData() ?? '{}') as Record<string, unknown>;
  assert.deepEqual({ input: sent.input, voice: sent.voice, speed: sent.speed, format: sent.response_format }, { input: text, voice: 'tiny', speed: 1.05, format: 'json' });

  // Playback runs to its end (the page marks the status "ended" on the audio element's ended event).
  await page.locator('#status[data-state="ended"]').waitFor({ timeout: 60_000 });

  const seen = await page.evaluate(() => {
    const player = document.getElementById('player') as HTMLAudioElement;
    const result = document.getElementById('result') as HTMLElement;
    const words = document.getElementById('words') as HTMLElement;
    const canvas = document.getElementById('mel') as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
    const download = document.getElementById('download') as HTMLAnchorElement;
    return {
      audioDuration: player.duration,
      playedTo: player.currentTime,
      serverDuration: Number(result.dataset.duration),
      sampleRate: Number(result.dataset.sampleRate),
      wordCount: words.querySelectorAll('span').length,
      highlighted: Number(words.dataset.highlighted),
      canvas: [canvas.width, canvas.height],
      colours: colours.size,
      downloadHref: download.href,
      downloadName: download.download,
    };
  });
  // The tiny voice gives every phoneme ~4 frames (~46 ms): 10 words are well over a second.
  assert.ok(seen.serverDuration > 1 && seen.serverDuration < 30, `plausible duration, got ${seen.serverDuration} s`);
  assert.ok(Math.abs(seen.audioDuration - seen.serverDuration) < 0.01, `the browser decoded ${seen.audioDuration} s of the ${seen.serverDuration} s sent`);
  assert.ok(Math.abs(seen.playedTo - seen.audioDuration) < 0.05, `played to the end (${seen.playedTo} of ${seen.audioDuration} s)`);
  assert.equal(seen.sampleRate, 22050);
  assert.equal(seen.wordCount, 10);
  assert.ok(seen.highlighted >= 1, 'words were highlighted during playback');
  assert.ok(seen.canvas[0]! > 50 && seen.canvas[1] === 80, `mel canvas ${seen.canvas.join('x')}`);
  assert.ok(seen.colours > 20, `the mel has structure (${seen.colours} colours)`);
  assert.match(seen.downloadHref, /^blob:/);
  assert.equal(seen.downloadName, 'clip-tts-tiny.wav');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'web-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 5000, 'screenshot written');
  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  await page.close();
});

test('an error from the server is shown to the user', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.locator('#status[data-state="idle"]').waitFor();
  await page.getByLabel('Text to speak').fill('...');
  await page.getByRole('button', { name: 'Speak' }).click();
  await page.locator('#status[data-state="error"]').waitFor();
  assert.match(await page.locator('#status').textContent() ?? '', /^Error: .*nothing to speak/);
  await page.close();
});
