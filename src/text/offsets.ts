/**
 * Maps spoken (normalised) words back to the character span of the source text they came from, for
 * word timestamps. Normalisation rewrites text ("$5" → "five dollars", "Jan. 5" → "January fifth"),
 * so words are aligned to whitespace-separated source tokens: identical tokens anchor the alignment
 * (longest common subsequence), and the words between two anchors are given the source tokens between
 * them — split token by token when the caller can tell how many words each token makes, otherwise
 * all sharing the merged span. Work per call is O(words × tokens) on one sentence (≤ 400 characters
 * by default); above ALIGN_LCS_LIMIT cells a greedy linear alignment is used instead.
 */

/** A piece of the source text: [start, end) in the original input and its comparison key. */
export interface SourceToken {
  key: string;
  start: number;
  end: number;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const ALIGN_LCS_LIMIT = 250_000;

/** Comparison key: lower case, letters and digits only (apostrophes, dots, marks dropped). */
export function alignKey(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Source tokens of `raw` (which starts at `base` in the input): whitespace-separated runs, with every
 * CJK character a token of its own (Chinese has no spaces).
 */
export function sourceTokens(raw: string, base: number): SourceToken[] {
  const out: SourceToken[] = [];
  const re = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]|[^\s\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    let a = m.index, b = m.index + m[0].length;
    // Quotes, brackets and clause punctuation around a word are not part of it; a final dot is,
    // only for abbreviations ("Dr.", "Jan.", "U.S.").
    while (a < b - 1 && /["'“‘(\[{¿¡]/.test(raw[a]!)) a++;
    while (b > a + 1 && /[,;:!?"'”’)\]}…]/.test(raw[b - 1]!)) b--;
    if (b > a + 1 && raw[b - 1] === '.' && !/^(?:[A-Z][a-z]{0,4}|(?:[A-Za-z]\.)+[A-Za-z]|etc|vs|approx)\.$/.test(raw.slice(a, b))) {
      while (b > a + 1 && raw[b - 1] === '.') b--;
    }
    out.push({ key: alignKey(m[0]), start: base + a, end: base + b });
  }
  return out;
}

/**
 * Source span [start, end) of each unit (a normalised word, or one character of a Chinese word).
 *
 * @param units comparison keys of the spoken units, in order
 * @param src source tokens, in order
 * @param split optional: how many units each of several unmatched source tokens produces (e.g. by
 *   normalising them one by one); used when the counts add up to the units between two anchors
 */
export function alignSpans(units: readonly string[], src: readonly SourceToken[], split?: (tokens: readonly SourceToken[]) => number[]): [number, number][] {
  const n = units.length, m = src.length;
  const out: [number, number][] = new Array(n);
  if (n === 0) return out;
  if (m === 0) { for (let i = 0; i < n; i++) out[i] = [0, 0]; return out; }
  const pairs = n * m <= ALIGN_LCS_LIMIT ? lcsPairs(units, src) : greedyPairs(units, src);
  // Walk anchors; fill the gaps between them.
  let pi = 0, pj = 0; // next unit / source token not yet assigned
  let lastSpan: [number, number] | undefined;
  const fillGap = (i1: number, j1: number, next: [number, number] | undefined): void => {
    if (i1 <= pi) { pj = j1; return; }
    // Punctuation-only tokens ("，", "—") speak no words unless nothing else is there ("&" → "and").
    const all = src.slice(pj, j1);
    const keyed = all.filter((t) => t.key);
    const gap = keyed.length > 0 && !split ? keyed : all;
    if (gap.length === 0) {
      const span = lastSpan ?? next ?? [src[0]!.start, src[0]!.start];
      for (let i = pi; i < i1; i++) out[i] = [span[0], span[1]];
    } else if (gap.length === 1) {
      for (let i = pi; i < i1; i++) out[i] = [gap[0]!.start, gap[0]!.end];
    } else {
      const counts = split?.(gap);
      if (counts && counts.length === gap.length && counts.reduce((a, b) => a + b, 0) === i1 - pi) {
        let i = pi;
        counts.forEach((c, k) => { for (let e = 0; e < c; e++) out[i++] = [gap[k]!.start, gap[k]!.end]; });
      } else {
        for (let i = pi; i < i1; i++) out[i] = [gap[0]!.start, gap[gap.length - 1]!.end];
      }
    }
    pj = j1;
  };
  for (const [i, j] of pairs) {
    fillGap(i, j, [src[j]!.start, src[j]!.end]);
    out[i] = [src[j]!.start, src[j]!.end];
    lastSpan = out[i];
    pi = i + 1; pj = j + 1;
  }
  // Trailing words: the rest of the source, or the last anchor's span.
  if (pi < n) {
    if (pj >= m) { const s = lastSpan ?? [src[m - 1]!.start, src[m - 1]!.end]; for (let i = pi; i < n; i++) out[i] = [s[0], s[1]]; }
    else fillGap(n, m, undefined);
  }
  return out;
}

/** Matched (unit, token) index pairs of a longest common subsequence of keys (empty keys never match). */
function lcsPairs(units: readonly string[], src: readonly SourceToken[]): [number, number][] {
  const n = units.length, m = src.length, w = m + 1;
  const dp = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * w + j] = units[i] && units[i] === src[j]!.key ? dp[(i + 1) * w + j + 1]! + 1 : Math.max(dp[(i + 1) * w + j]!, dp[i * w + j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (units[i] && units[i] === src[j]!.key && dp[i * w + j] === dp[(i + 1) * w + j + 1]! + 1) { pairs.push([i, j]); i++; j++; }
    else if (dp[(i + 1) * w + j]! >= dp[i * w + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/** Linear fallback for very long pieces: match each unit to an equal token a few tokens ahead. */
function greedyPairs(units: readonly string[], src: readonly SourceToken[]): [number, number][] {
  const pairs: [number, number][] = [];
  let j = 0;
  for (let i = 0; i < units.length && j < src.length; i++) {
    if (!units[i]) continue;
    for (let k = j; k < Math.min(src.length, j + 4); k++) {
      if (src[k]!.key === units[i]) { pairs.push([i, k]); j = k + 1; break; }
    }
  }
  return pairs;
}

/** True when the string contains a Chinese character. */
export const hasCjk = (s: string): boolean => CJK.test(s);
