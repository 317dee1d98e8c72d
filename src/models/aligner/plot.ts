/**
 * Alignment pictures: the soft attention (frames along x, tokens along y from the bottom, viridis) with
 * the hard MAS path drawn over it in red, optionally with reference boundaries as white ticks.
 */
import { type RgbImage, viridis } from '../../audio/plot.js';

export interface AlignmentImageOptions {
  /** Pixels per frame (default 2) and per token (default 4). */
  xScale?: number;
  yScale?: number;
}

/**
 * `softAttention` row-major [F, T] probabilities (row stride `rowStride`), `durations` per token
 * (the hard path). Returns RGB pixels for encodePng.
 */
export function renderAlignmentImage(softAttention: ArrayLike<number>, frames: number, tokens: number, durations: ArrayLike<number>, opts: AlignmentImageOptions & { rowStride?: number; offset?: number } = {}): RgbImage {
  const xs = opts.xScale ?? 2, ys = opts.yScale ?? 4, stride = opts.rowStride ?? tokens, off = opts.offset ?? 0;
  const width = frames * xs, height = tokens * ys;
  const rgb = new Uint8Array(width * height * 3);
  const put = (x: number, y: number, c: readonly [number, number, number]): void => {
    const i = 3 * (y * width + x);
    rgb[i] = c[0]; rgb[i + 1] = c[1]; rgb[i + 2] = c[2];
  };
  for (let f = 0; f < frames; f++) {
    for (let t = 0; t < tokens; t++) {
      // sqrt brightens the many small probabilities so the attention's spread stays visible.
      const c = viridis(Math.sqrt(Math.max(0, Math.min(1, softAttention[off + f * stride + t]!))));
      const y0 = (tokens - 1 - t) * ys;
      for (let dy = 0; dy < ys; dy++) for (let dx = 0; dx < xs; dx++) put(f * xs + dx, y0 + dy, c);
    }
  }
  // Hard path: a red dot in the middle of each (frame, token) cell it visits.
  const red: [number, number, number] = [255, 40, 40];
  let f = 0;
  for (let t = 0; t < tokens; t++) {
    for (let k = 0; k < durations[t]!; k++, f++) {
      if (f >= frames) break;
      const y = (tokens - 1 - t) * ys + (ys >> 1);
      for (let dx = 0; dx < xs; dx++) put(f * xs + dx, y, red);
    }
  }
  return { width, height, rgb };
}
