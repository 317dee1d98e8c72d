/**
 * CMU Pronouncing Dictionary access. The dictionary ships as a plain JS module (browser-safe);
 * entries are split lazily, on first lookup of each word.
 */
import { dictionary } from 'cmu-pronouncing-dictionary';

const cache = new Map<string, string[][]>();

function parseEntry(value: string): string[] {
  // A few entries carry a trailing comment ("... # foreign").
  const hash = value.indexOf('#');
  return (hash >= 0 ? value.slice(0, hash) : value).trim().split(/\s+/);
}

/**
 * All CMUdict pronunciations of a word (lower-cased), first = most common; empty when unknown.
 *
 * @example cmuLookupAll('read') // [['R','EH1','D'], ['R','IY1','D']]
 */
export function cmuLookupAll(word: string): string[][] {
  const w = word.toLowerCase();
  const hit = cache.get(w);
  if (hit) return hit;
  const out: string[][] = [];
  const dict = dictionary as Record<string, string>;
  if (Object.hasOwn(dict, w)) {
    out.push(parseEntry(dict[w]!));
    for (let k = 2; Object.hasOwn(dict, `${w}(${k})`); k++) out.push(parseEntry(dict[`${w}(${k})`]!));
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(w, out);
  return out;
}

/** First CMUdict pronunciation, or undefined. @example cmuLookup('hello') // ['HH','AH0','L','OW1'] */
export function cmuLookup(word: string): string[] | undefined {
  return cmuLookupAll(word)[0];
}

/** True when CMUdict knows the word. */
export function cmuHas(word: string): boolean {
  return Object.hasOwn(dictionary as Record<string, string>, word.toLowerCase());
}

/**
 * Every plain alphabetic headword with its first pronunciation, sorted (for training/evaluating
 * the letter-to-sound model).
 */
export function cmuAlphabeticEntries(): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const [k, v] of Object.entries(dictionary as Record<string, string>)) {
    if (/^[a-z]+$/.test(k)) out.push([k, parseEntry(v)]);
  }
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

/**
 * The held-out split used to measure the OOV fallback: every 50th word of ≥ 4 letters (in sorted
 * order) is held out; the shipped letter-to-sound model was trained without them.
 */
export function cmuHeldOutSplit(): { train: [string, string[]][]; heldOut: [string, string[]][] } {
  const train: [string, string[]][] = [];
  const heldOut: [string, string[]][] = [];
  let n = 0;
  for (const e of cmuAlphabeticEntries()) {
    if (e[0].length >= 4 && n++ % 50 === 49) heldOut.push(e);
    else train.push(e);
  }
  return { train, heldOut };
}
