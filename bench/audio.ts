/**
 * Audio front-end throughput (not a test): resampler, STFT, log-mel, pitch, Griffin-Lim, as x real time.
 * Run: npx tsc -p tsconfig.json && node dist/bench/audio.js
 */
import { Resampler } from '../src/audio/resample.js';
import { magnitudeSpectrogram } from '../src/audio/stft.js';
import { MelExtractor } from '../src/audio/mel.js';
import { estimatePitch } from '../src/audio/pitch.js';
import { griffinLimFromMel } from '../src/audio/griffin-lim.js';
import { RealFFT } from '../src/audio/fft.js';

function signal(rate: number, seconds: number): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  let s = 1;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate) + 0.05 * (s / 2147483648 - 1);
  }
  return x;
}

/** Runs fn until ~minMs have elapsed (after one warm-up call); returns seconds per call. */
function time(fn: () => void, minMs = 400): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { fn(); n++; }
  return (performance.now() - t0) / 1000 / n;
}

const SECONDS = 10;
const row = (name: string, audioSeconds: number, sec: number, extra = ''): void =>
  console.log(`${name.padEnd(34)} ${(audioSeconds / sec).toFixed(0).padStart(6)}x real time  ${extra}`);

for (const [from, to] of [[48000, 22050], [44100, 22050], [24000, 22050], [16000, 22050], [22050, 16000]] as const) {
  const r = new Resampler(from, to);
  const x = signal(from, SECONDS);
  const sec = time(() => r.process(x));
  row(`resample ${from} -> ${to}`, SECONDS, sec, `${(x.length / sec / 1e6).toFixed(2)} M input samples/s, ${r.taps} taps`);
}

const fft = new RealFFT(1024);
const frame = Float64Array.from(signal(22050, 1024 / 22050));
const re = new Float64Array(513), im = new Float64Array(513);
const perFft = time(() => { for (let i = 0; i < 1000; i++) fft.forward(frame, re, im); }) / 1000;
console.log(`${'real FFT 1024'.padEnd(34)} ${(1 / perFft / 1000).toFixed(0).padStart(6)}k transforms/s`);

const x22 = signal(22050, SECONDS);
row('magnitude STFT (1024/256)', SECONDS, time(() => magnitudeSpectrogram(x22, { nFft: 1024, hopLength: 256 })));
const mel = new MelExtractor();
row('log-mel 80 (LJSpeech config)', SECONDS, time(() => mel.compute(x22)));
row('pitch (YIN, 65-800 Hz)', SECONDS, time(() => estimatePitch(x22, { sampleRate: 22050, hopLength: 256 })));
const m = mel.compute(x22.subarray(0, 22050 * 2));
row('Griffin-Lim from mel, 32 iterations', 2, time(() => griffinLimFromMel(m, {}, { iterations: 32 }), 1000));
