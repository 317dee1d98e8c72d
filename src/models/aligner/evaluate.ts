/**
 * Alignment accuracy against reference phone segmentations (festival-style `.lab` files: "start end
 * phone" per line, seconds of the *untrimmed* wav). Our phonemes (CMUdict ARPAbet + punctuation and
 * special tokens) and the reference phones are mapped to one phone alphabet (stress dropped, festival
 * `ax` → AH, pauses and punctuation removed), the two phone strings are aligned by edit distance, and
 * for every pair of *adjacent* matched phones (consecutive in both sequences, with no pause or
 * punctuation token between them in either) the predicted boundary is compared with the reference one.
 * Boundaries next to pauses are skipped: our token sequence only has a pause where the text has
 * punctuation, so there the two segmentations are not comparable.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../data/manifest.js';
import { SymbolTable } from '../../text/symbols.js';
import { FeatureLoader } from '../../data/loader.js';
import type { AlignmentEncoder } from './model.js';
import { predictAlignments } from './align.js';

/** One reference segment. */
export interface LabSegment { start: number; end: number; phone: string }

export function parseLab(text: string, where = 'lab'): LabSegment[] {
  const out: LabSegment[] = [];
  text.split('\n').forEach((line, i) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || parts[0] === '') return;
    const start = Number(parts[0]), end = Number(parts[1]);
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`${where}:${i + 1}: expected "start end phone", got "${line}"`);
    out.push({ start, end, phone: parts[2]! });
  });
  return out;
}

const FESTIVAL_SILENCES = new Set(['pau', 'h#', 'sil', 'brth', 'ssil', '#']);
/** Festival (radio phone set) names that differ from ARPAbet. */
const FESTIVAL_TO_ARPABET: Readonly<Record<string, string>> = { ax: 'AH', axr: 'ER', ix: 'IH', el: 'L', em: 'M', en: 'N', dx: 'T', nx: 'N' };

/** Common phone name of a festival phone, or null for silence. */
export function festivalPhone(p: string): string | null {
  const lower = p.toLowerCase();
  if (FESTIVAL_SILENCES.has(lower)) return null;
  return FESTIVAL_TO_ARPABET[lower] ?? lower.toUpperCase();
}

/** Common phone name of one of our symbols (ARPAbet with stress → without), or null for non-phones. */
export function arpabetPhone(symbol: string): string | null {
  const m = /^([A-Z]{1,2})[0-2]?$/.exec(symbol);
  return m ? m[1]! : null;
}

/**
 * Pairs of matched positions (i in a, j in b) of a minimum edit-distance alignment (substitution,
 * insertion, deletion cost 1; equal symbols cost 0). Only equal pairs are returned.
 */
export function alignPhoneStrings(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length, m = b.length;
  const D = new Int32Array((n + 1) * (m + 1));
  for (let i = 0; i <= n; i++) D[i * (m + 1)] = i;
  for (let j = 0; j <= m; j++) D[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = D[(i - 1) * (m + 1) + j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      D[i * (m + 1) + j] = Math.min(sub, D[(i - 1) * (m + 1) + j]! + 1, D[i * (m + 1) + j - 1]! + 1);
    }
  }
  const pairs: [number, number][] = [];
  let i = n, j = m;
  while (i > 0 && j > 0) {
    const here = D[i * (m + 1) + j]!;
    const same = a[i - 1] === b[j - 1];
    if (here === D[(i - 1) * (m + 1) + j - 1]! + (same ? 0 : 1)) {
      if (same) pairs.push([i - 1, j - 1]);
      i--; j--;
    } else if (here === D[(i - 1) * (m + 1) + j]! + 1) i--;
    else j--;
  }
  return pairs.reverse();
}

export interface BoundaryComparison {
  /** Predicted − reference boundary time, seconds, one per compared boundary. */
  errors: number[];
  /** Whether each compared boundary lies inside a word (both phones in the same word). */
  wordInternal: boolean[];
  /** The phone pair on either side of each compared boundary (common alphabet), e.g. ["AH", "K"]. */
  phonePairs: [string, string][];
  /** Phones of our sequence matched to a reference phone. */
  matchedPhones: number;
  ourPhones: number;
  referencePhones: number;
}

export interface ItemForComparison {
  /** Our symbol names, one per token. */
  symbols: readonly string[];
  /** Token index of each word's first token. */
  wordStarts: readonly number[];
  durations: ArrayLike<number>;
  /** Seconds of the source wav cut from the start (manifest `trim[0]`). */
  trimStart: number;
  /** Seconds per frame (hop / sample rate). */
  frameSeconds: number;
}

/**
 * Boundary errors of one item. The boundary before token k is placed at (start frame of k − ½)·hop:
 * with centred STFT frames, frame i is centred at i·hop, so a boundary anywhere between the centres
 * of frames k − 1 and k is resolved as "k", on average half a frame later than the true time.
 */
export function compareBoundaries(item: ItemForComparison, lab: readonly LabSegment[]): BoundaryComparison {
  const ours: { phone: string; token: number }[] = [];
  item.symbols.forEach((s, k) => { const p = arpabetPhone(s); if (p) ours.push({ phone: p, token: k }); });
  const ref: { phone: string; seg: number }[] = [];
  lab.forEach((s, k) => { const p = festivalPhone(s.phone); if (p) ref.push({ phone: p, seg: k }); });
  const pairs = alignPhoneStrings(ours.map((x) => x.phone), ref.map((x) => x.phone));
  const startFrame = new Int32Array(item.durations.length + 1);
  for (let k = 0; k < item.durations.length; k++) startFrame[k + 1] = startFrame[k]! + item.durations[k]!;
  const wordOf = new Int32Array(item.symbols.length);
  const starts = new Set(item.wordStarts);
  for (let k = 0, w = -1; k < item.symbols.length; k++) { if (starts.has(k)) w++; wordOf[k] = w; }
  const errors: number[] = [], wordInternal: boolean[] = [], phonePairs: [string, string][] = [];
  for (let p = 0; p + 1 < pairs.length; p++) {
    const [oi, ri] = pairs[p]!, [oj, rj] = pairs[p + 1]!;
    if (oj !== oi + 1 || rj !== ri + 1) continue; // not consecutive phones in both strings
    const a = ours[oi]!.token, b = ours[oj]!.token, sa = ref[ri]!.seg, sb = ref[rj]!.seg;
    if (b !== a + 1 || sb !== sa + 1) continue; // a pause or punctuation token in between
    const predicted = (startFrame[b]! - 0.5) * item.frameSeconds;
    const reference = lab[sa]!.end - item.trimStart;
    errors.push(predicted - reference);
    wordInternal.push(wordOf[a] === wordOf[b]);
    phonePairs.push([ours[oi]!.phone, ours[oj]!.phone]);
  }
  return { errors, wordInternal, phonePairs, matchedPhones: pairs.length, ourPhones: ours.length, referencePhones: ref.length };
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const pos = (s.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface AlignerEvaluation {
  split: string;
  items: number;
  /** Items without a reference .lab (skipped). */
  missingLabels: number;
  boundaries: number;
  medianMs: number;
  p90Ms: number;
  meanMs: number;
  /** Median of signed errors (predicted − reference): a systematic shift. */
  medianSignedMs: number;
  /** Share of boundaries within 20 ms. */
  within20ms: number;
  wordInternal: { boundaries: number; medianMs: number; p90Ms: number };
  matchedPhones: number;
  ourPhones: number;
  referencePhones: number;
}

export interface EvaluateOptions {
  split?: 'train' | 'val' | 'all';
}

/** Predicts durations for a split with `model` and scores them against `labelsDir/ID.lab`. */
export async function evaluateAligner(model: AlignmentEncoder, featuresDir: string, labelsDir: string, opts: EvaluateOptions = {}): Promise<AlignerEvaluation> {
  const split = opts.split ?? 'val';
  const manifest = readManifest(featuresDir);
  const symbols = SymbolTable.fromJSON(manifest.symbols);
  const frameSeconds = manifest.melConfig.hopLength / manifest.melConfig.sampleRate;
  const byId = new Map(manifest.items.map((m) => [m.id, m]));
  const loader = FeatureLoader.open(featuresDir, { split, shuffle: false });
  const loaderIndex = new Map(loader.items.map((m, i) => [m.id, i]));
  const all: number[] = [], internal: number[] = [];
  let items = 0, missing = 0, matched = 0, ourPhones = 0, refPhones = 0;
  for await (const a of predictAlignments(model, featuresDir, { split })) {
    const m = byId.get(a.id)!;
    const labPath = join(labelsDir, `${a.id}.lab`);
    if (!existsSync(labPath)) { missing++; continue; }
    const cached = await loader.readItem(loaderIndex.get(a.id)!);
    const r = compareBoundaries({
      symbols: Array.from(cached.phonemes, (id) => symbols.symbol(id)), wordStarts: Array.from(cached.wordStarts),
      durations: a.durations, trimStart: m.trim[0], frameSeconds,
    }, parseLab(readFileSync(labPath, 'utf8'), labPath));
    r.errors.forEach((e, i) => { all.push(e); if (r.wordInternal[i]) internal.push(e); });
    items++; matched += r.matchedPhones; ourPhones += r.ourPhones; refPhones += r.referencePhones;
  }
  const abs = all.map(Math.abs), absInternal = internal.map(Math.abs);
  const ms = (x: number): number => Math.round(x * 1e4) / 10;
  return {
    split, items, missingLabels: missing, boundaries: all.length,
    medianMs: ms(percentile(abs, 0.5)), p90Ms: ms(percentile(abs, 0.9)),
    meanMs: ms(abs.reduce((s, x) => s + x, 0) / Math.max(1, abs.length)),
    medianSignedMs: ms(percentile(all, 0.5)),
    within20ms: Math.round((abs.filter((x) => x <= 0.02).length / Math.max(1, abs.length)) * 1000) / 1000,
    wordInternal: { boundaries: internal.length, medianMs: ms(percentile(absInternal, 0.5)), p90Ms: ms(percentile(absInternal, 0.9)) },
    matchedPhones: matched, ourPhones, referencePhones: refPhones,
  };
}

