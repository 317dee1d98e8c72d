/** Shared helpers for the audio tests (not a test file itself). */
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Repository root (tests run from dist/test/audio/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(ROOT, 'fixtures', 'audio');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cliptts-audio-'));
}

/** Deterministic uniform noise in [-1, 1). */
export function noise(n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

export function sine(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** A harmonic tone (harmonics 1..count at 1/h amplitude) following f0(t), t in seconds. */
export function harmonicTone(f0: (t: number) => number, rate: number, seconds: number, count = 8): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f = f0(i / rate);
    phase += (2 * Math.PI * f) / rate;
    let s = 0;
    for (let h = 1; h <= count && h * f < rate / 2; h++) s += Math.sin(h * phase) / h;
    out[i] = 0.3 * s;
  }
  return out;
}

/** RMS of x over the middle 60% (skips filter edge effects). */
export function middleRms(x: ArrayLike<number>): number {
  const a = Math.floor(x.length * 0.2), b = Math.floor(x.length * 0.8);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, b - a));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Mean |log-mel difference| over the bins within 8 nats of `a`'s peak (floor-level bins are noise). */
export function melDistance(a: Float32Array, b: Float32Array): number {
  let peak = -Infinity;
  for (const v of a) peak = Math.max(peak, v);
  let sum = 0, n = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > peak - 8) { sum += Math.abs(a[i]! - b[i]!); n++; }
  return sum / n;
}
