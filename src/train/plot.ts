/**
 * Line charts as RGB images (loss curves): no dependencies, browser-safe pixel rendering; encode
 * with `encodePng` from src/audio/png.ts (Node) to write a file.
 */
import type { RgbImage } from '../audio/plot.js';

export interface Series {
  name: string;
  /** [x, y] points; non-finite y values are skipped. */
  points: readonly (readonly [number, number])[];
  color: readonly [number, number, number];
}

export interface LineChartOptions {
  width?: number;
  height?: number;
  /** Plot y on a log10 scale (losses spanning decades). Default true when every y > 0. */
  logY?: boolean;
}

/** A tiny 3×5 pixel font for axis labels (digits, '.', 'e', '-', '+'). */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111',
  '4': '101101111001001', '5': '111100111001111', '6': '111100111101111', '7': '111001001001001',
  '8': '111101111101111', '9': '111101111001111', '.': '000000000000010', 'e': '000111101110011',
  '-': '000000111000000', '+': '000010111010000', ' ': '000000000000000',
};

function drawText(img: RgbImage, text: string, x: number, y: number, color: readonly [number, number, number]): void {
  let cx = x;
  for (const ch of text) {
    const g = GLYPHS[ch] ?? GLYPHS[' ']!;
    for (let r = 0; r < 5; r++) for (let c = 0; c < 3; c++) if (g[r * 3 + c] === '1') setPixel(img, cx + c, y + r, color);
    cx += 4;
  }
}

function setPixel(img: RgbImage, x: number, y: number, color: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const i = (Math.round(y) * img.width + Math.round(x)) * 3;
  img.rgb[i] = color[0]; img.rgb[i + 1] = color[1]; img.rgb[i + 2] = color[2];
}

function drawLine(img: RgbImage, x0: number, y0: number, x1: number, y1: number, color: readonly [number, number, number]): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) setPixel(img, x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-2 ? v.toExponential(1).replace('e+', 'e') : String(Number(v.toPrecision(3)));
}

/**
 * Renders series as a line chart with axes and tick labels.
 * @example const img = renderLineChart([{ name: 'train', points, color: [31, 119, 180] }]);
 */
export function renderLineChart(series: readonly Series[], opts: LineChartOptions = {}): RgbImage {
  const width = opts.width ?? 640, height = opts.height ?? 360;
  const img: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
  const pts = series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const left = 44, right = 10, top = 10, bottom = 20;
  const axis: [number, number, number] = [60, 60, 60];
  drawLine(img, left, top, left, height - bottom, axis);
  drawLine(img, left, height - bottom, width - right, height - bottom, axis);
  if (!pts.length) return img;
  const logY = opts.logY ?? pts.every(([, y]) => y > 0);
  const ty = (y: number): number => (logY ? Math.log10(y) : y);
  let xMin = Math.min(...pts.map(([x]) => x)), xMax = Math.max(...pts.map(([x]) => x));
  let yMin = Math.min(...pts.map(([, y]) => ty(y))), yMax = Math.max(...pts.map(([, y]) => ty(y)));
  if (xMax === xMin) { xMin -= 1; xMax += 1; }
  if (yMax === yMin) { yMin -= 1; yMax += 1; }
  const px = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * (width - left - right);
  const py = (y: number): number => height - bottom - ((ty(y) - yMin) / (yMax - yMin)) * (height - top - bottom);
  for (let k = 0; k <= 4; k++) {
    const yv = yMin + ((yMax - yMin) * k) / 4;
    const yPix = height - bottom - ((height - top - bottom) * k) / 4;
    drawLine(img, left - 3, yPix, left, yPix, axis);
    drawText(img, fmt(logY ? 10 ** yv : yv), 2, yPix - 2, axis);
    const xv = xMin + ((xMax - xMin) * k) / 4;
    const xPix = left + ((width - left - right) * k) / 4;
    drawLine(img, xPix, height - bottom, xPix, height - bottom + 3, axis);
    drawText(img, fmt(Math.round(xv)), Math.min(width - 24, Math.max(0, xPix - 8)), height - bottom + 6, axis);
  }
  for (const s of series) {
    const p = s.points.filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
    for (let i = 1; i < p.length; i++) drawLine(img, px(p[i - 1]![0]), py(p[i - 1]![1]), px(p[i]![0]), py(p[i]![1]), s.color);
    if (p.length === 1) setPixel(img, px(p[0]![0]), py(p[0]![1]), s.color);
  }
  return img;
}
