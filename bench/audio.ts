/**
 * Audio front-end throughput (not a test), all on one thread (the main thread, no workers): resampler, STFT,
 * log-mel, pitch, Griffin-Lim as x real time, and 1024-point real FFTs/s of ours (RealFFT) vs fft.js itself.
 * Each figure is the best of 3 timed rounds (shared machines are noisy); the load average is printed too.
 * Run: npm run bench:audio   (or: npx tsc -p tsconfig.json && node dist/bench/audio.js)
 */
import { loadavg } from 'node:os';
import FFT from 'fft.js';
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

/** Runs fn until ~minMs have elapsed (after one warm-up call), 3 rounds; returns the best seconds per call. */
function time(fn: () => void, minMs = 300): number {
  fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs) { fn(); n++; }
    best = Math.min(best, (performance.now() - t0) / 1000 / n);
  }
  return best;
}

console.log(`node ${process.version}, one thread, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);

const SECONDS = 10;
const row = (name: string, audioSeconds: number, sec: number, extra = ''): void =>
  console.log(`${name.padEnd(34)} ${(audioSeconds / sec).toFixed(0).padStart(6)}x real time  ${extra}`);

for (const [from, to] of [[48000, 22050], [44100, 22050], [24000, 22050], [16000, 22050], [22050, 16000]] as const) {
  const r = new Resampler(from, to);
  const x = signal(from, SECONDS);
  const sec = time(() => r.process(x));
  row(`resample ${from} -> ${to}`, SECONDS, sec, `${(x.length / sec / 1e6).toFixed(2)} M input samples/s, ${r.taps} taps`);
}

// 1024-point real FFT: ours (RealFFT: Float64Array in, re/im or power out) vs fft.js realTransform on its
// preferred input (plain number arrays; output = interleaved half spectrum) and on typed arrays.
const fft = new RealFFT(1024);
const frame = Float64Array.from(signal(22050, 1024 / 22050));
const re = new Float64Array(513), im = new Float64Array(513), power = new Float64Array(513);
const fftRow = (name: string, fn: () => void): void => {
  const per = time(() => { for (let i = 0; i < 1000; i++) fn(); }) / 1000;
  console.log(`${name.padEnd(34)} ${(1 / per / 1000).toFixed(0).padStart(6)}k transforms/s`);
};
fftRow('real FFT 1024: ours (re/im)', () => fft.forward(frame, re, im));
fftRow('real FFT 1024: ours (power)', () => fft.powerSpectrum(frame, power));
const ref = new FFT(1024);
const plainIn = Array.from(frame), plainOut = ref.createComplexArray() as number[];
fftRow('real FFT 1024: fft.js (arrays)', () => ref.realTransform(plainOut, plainIn));

const x22 = signal(22050, SECONDS);
row('magnitude STFT (1024/256)', SECONDS, time(() => magnitudeSpectrogram(x22, { nFft: 1024, hopLength: 256 })));
const mel = new MelExtractor();
row('log-mel 80 (LJSpeech config)', SECONDS, time(() => mel.compute(x22)));
row('pitch (YIN, 65-800 Hz)', SECONDS, time(() => estimatePitch(x22, { sampleRate: 22050, hopLength: 256 })));
const m = mel.compute(x22.subarray(0, 22050 * 2));
row('Griffin-Lim from mel, 32 iterations', 2, time(() => griffinLimFromMel(m, {}, { iterations: 32 }), 1000));

// Last: feeding fft.js typed arrays makes its (shared) code polymorphic, which would slow every row after it.
const typedOut = new Float64Array(2048);
fftRow('real FFT 1024: fft.js (typed)', () => ref.realTransform(typedOut as unknown as number[], frame as unknown as number[]));
