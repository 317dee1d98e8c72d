/**
 * Renders a mel spectrogram to RGB pixels (viridis colormap, time along x, low frequencies at the bottom).
 * Browser-safe: returns raw pixels; png.ts (Node) encodes them, or draw them on a canvas via ImageData.
 */
import type { MelSpectrogram } from './mel.js';

/** 8-bit RGB pixels, row-major from the top row: pixel (x, y) at 3 * (y * width + x). */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface MelImageOptions {
  /** Value mapped to the darkest colour. Default: the spectrogram minimum. */
  min?: number;
  /** Value mapped to the brightest colour. Default: the spectrogram maximum. */
  max?: number;
  /** Pixels per frame horizontally. Default 1. */
  xScale?: number;
  /** Pixels per mel channel vertically. Default 2. */
  yScale?: number;
}

// Matplotlib's viridis at 9 evenly spaced stops (interpolated linearly between them).
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Viridis colour for v in [0, 1] (clamped). */
export function viridis(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const t = x - i;
  const a = VIRIDIS[i]!, b = VIRIDIS[i + 1]!;
  return [Math.round(a[0] + t * (b[0] - a[0])), Math.round(a[1] + t * (b[1] - a[1])), Math.round(a[2] + t * (b[2] - a[2]))];
}

/**
 * Renders a (log-)mel spectrogram: frames along x, mel channel 0 at the bottom.
 * @example
 *   const img = renderMelImage(mel); // img.width === mel.frames, img.height === 2 * mel.nMels
 */
export function renderMelImage(mel: MelSpectrogram, options: MelImageOptions = {}): RgbImage {
  const { data, nMels, frames } = mel;
  const xScale = Math.max(1, Math.floor(options.xScale ?? 1));
  const yScale = Math.max(1, Math.floor(options.yScale ?? 2));
  let lo = options.min ?? Infinity, hi = options.max ?? -Infinity;
  if (options.min === undefined || options.max === undefined) {
    for (const v of data) {
      if (!Number.isFinite(v)) continue;
      if (options.min === undefined && v < lo) lo = v;
      if (options.max === undefined && v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = 0; hi = 1; }
  const range = hi > lo ? hi - lo : 1;
  const width = Math.max(1, frames * xScale), height = nMels * yScale;
  const rgb = new Uint8Array(width * height * 3);
  // Precompute a 256-entry palette: faster than interpolating per pixel.
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) palette.set(viridis(i / 255), 3 * i);
  for (let y = 0; y < height; y++) {
    const m = nMels - 1 - Math.floor(y / yScale); // top row = highest mel channel
    for (let x = 0; x < width; x++) {
      const t = Math.floor(x / xScale);
      const v = t < frames ? data[m * frames + t]! : lo;
      const idx = Math.round(Math.min(1, Math.max(0, (v - lo) / range)) * 255) || 0;
      rgb.set(palette.subarray(3 * idx, 3 * idx + 3), 3 * (y * width + x));
    }
  }
  return { width, height, rgb };
}
