/**
 * Letter-to-sound rules learned from CMUdict.
 *
 * Each letter is aligned to 0, 1 or 2 phonemes (Viterbi alignment, re-estimated a few times), then a
 * rule table maps a letter in its spelling context to its phoneme chunk. Contexts grow from the bare
 * letter to 4 letters on each side; a rule is stored only where it changes the prediction of the
 * smaller context (and was seen at least twice), so the table stays small (~40k rules, ~370 kB).
 * Prediction uses the most specific context present. Same idea as the classic hand-written NRL
 * letter-to-sound rules, but the rules are mined from the dictionary.
 */

/** Context windows (letters left, letters right), from least to most specific; each contains the previous. */
const LEVELS: readonly (readonly [number, number])[] = [[0, 0], [0, 1], [1, 1], [1, 2], [2, 2], [2, 3], [3, 3], [3, 4], [4, 4]];
const PAD = '####';

/** A trained rule table. */
export interface LtsModel {
  /** One map per context level: context string → phoneme chunk ('' = silent, 'K S' = two phonemes). */
  levels: Map<string, string>[];
}

const stripStress = (p: string): string => p.replace(/[012]$/, '');

/**
 * Learns a rule table from (word, phonemes) pairs. Takes ~20 s on the full dictionary: run offline
 * (scripts/build-lts-model.mjs writes src/text/lts-model.ts).
 */
export function trainLts(entries: readonly (readonly [string, readonly string[]])[], minCount = 2): LtsModel {
  const counts = new Map<string, Map<string, number>>();
  const add = (letter: string, chunk: string, w: number): void => {
    let m = counts.get(letter);
    if (!m) counts.set(letter, (m = new Map()));
    m.set(chunk, (m.get(chunk) ?? 0) + w);
  };
  const usable = entries.filter(([w, ph]) => /^[a-z]+$/.test(w) && ph.length <= 2 * w.length);
  // Start from diagonal co-occurrence counts.
  for (const [w, ph] of usable) {
    const L = w.length, P = ph.length;
    for (let i = 0; i < L; i++) {
      const c = ((i + 0.5) * P) / L;
      for (let j = 0; j < P; j++) if (Math.abs(j + 0.5 - c) <= 1.5) add(w[i]!, stripStress(ph[j]!), 1);
      add(w[i]!, '', 0.3);
    }
  }
  let aligned: [string, string[]][] = [];
  for (let iter = 0; iter < 4; iter++) {
    const scores = scoreTable(counts);
    counts.clear();
    aligned = [];
    for (const [w, ph] of usable) {
      const a = align(w, ph, scores);
      if (!a) continue;
      aligned.push([w, a]);
      for (let i = 0; i < w.length; i++) add(w[i]!, a[i]!.split(' ').map(stripStress).join(' ').trim(), 1);
    }
  }
  // Count chunks per context, level by level.
  const levelCounts = LEVELS.map(() => new Map<string, Map<string, number>>());
  for (const [w, a] of aligned) {
    const p = PAD + w + PAD;
    for (let i = 0; i < w.length; i++) {
      const pi = i + PAD.length;
      LEVELS.forEach(([l, r], lv) => {
        const key = p.slice(pi - l, pi + r + 1);
        let m = levelCounts[lv]!.get(key);
        if (!m) levelCounts[lv]!.set(key, (m = new Map()));
        m.set(a[i]!, (m.get(a[i]!) ?? 0) + 1);
      });
    }
  }
  const model: LtsModel = { levels: LEVELS.map(() => new Map<string, string>()) };
  LEVELS.forEach(([l], lv) => {
    for (const [key, m] of levelCounts[lv]!) {
      let best = '', bestN = -1, total = 0;
      for (const [c, n] of m) { total += n; if (n > bestN || (n === bestN && c < best)) { bestN = n; best = c; } }
      if (lv > 0) {
        if (total < minCount) continue;
        if (predictChunk(model, key, l, lv - 1) === best) continue;
      }
      model.levels[lv]!.set(key, best);
    }
  });
  return model;
}

function scoreTable(counts: Map<string, Map<string, number>>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [letter, m] of counts) {
    let total = 0;
    for (const v of m.values()) total += v;
    const s = new Map<string, number>();
    for (const [c, v] of m) s.set(c, Math.log((v + 0.01) / (total + 1)));
    s.set('\u0000floor', Math.log(0.01 / (total + 1)));
    out.set(letter, s);
  }
  return out;
}

function chunkScore(scores: Map<string, Map<string, number>>, letter: string, chunk: string): number {
  const s = scores.get(letter);
  if (!s) return -20;
  const v = s.get(chunk);
  if (v !== undefined) return v;
  const sp = chunk.indexOf(' ');
  if (sp >= 0) return (s.get(chunk.slice(0, sp)) ?? -20) + (s.get(chunk.slice(sp + 1)) ?? -20) - 4;
  return s.get('\u0000floor')! - 2;
}

function align(word: string, phones: readonly string[], scores: Map<string, Map<string, number>>): string[] | null {
  const L = word.length, P = phones.length, W = P + 1;
  const bare = phones.map(stripStress);
  const dp = new Float64Array((L + 1) * W).fill(-Infinity);
  const back = new Int8Array((L + 1) * W);
  dp[0] = 0;
  for (let i = 1; i <= L; i++) {
    for (let j = 0; j <= P; j++) {
      let best = -Infinity, bk = 0;
      for (let k = 0; k <= 2 && k <= j; k++) {
        const prev = dp[(i - 1) * W + j - k]!;
        if (prev === -Infinity) continue;
        const s = prev + chunkScore(scores, word[i - 1]!, bare.slice(j - k, j).join(' '));
        if (s > best) { best = s; bk = k; }
      }
      dp[i * W + j] = best;
      back[i * W + j] = bk;
    }
  }
  if (dp[L * W + P] === -Infinity) return null;
  const out = new Array<string>(L);
  let j = P;
  for (let i = L; i >= 1; i--) {
    const k = back[i * W + j]!;
    out[i - 1] = phones.slice(j - k, j).join(' ');
    j -= k;
  }
  return out;
}

/** Chunk predicted for the centre letter of `key` (centre at index `left`), using levels ≤ maxLevel. */
function predictChunk(model: LtsModel, key: string, left: number, maxLevel: number): string | undefined {
  for (let lv = maxLevel; lv >= 0; lv--) {
    const [l, r] = LEVELS[lv]!;
    const v = model.levels[lv]!.get(key.slice(left - l, left + r + 1));
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Phonemes (ARPAbet with stress) for a lower-case alphabetic word; exactly one primary stress.
 *
 * @example predictLts(model, 'zorblat') // e.g. ['Z','AO1','R','B','L','AE2','T']
 */
export function predictLts(model: LtsModel, word: string): string[] {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  const p = PAD + w + PAD;
  const out: string[] = [];
  const top = LEVELS.length - 1;
  const [tl, tr] = LEVELS[top]!;
  for (let i = 0; i < w.length; i++) {
    const pi = i + PAD.length;
    const chunk = predictChunk(model, p.slice(pi - tl, pi + tr + 1), tl, top);
    if (chunk) out.push(...chunk.split(' '));
  }
  return fixStress(out);
}

/** Keeps exactly one primary stress: extra 1s become 2, and with none the first vowel gets it. */
export function fixStress(phones: string[]): string[] {
  let primary = false;
  let firstVowel = -1;
  for (let i = 0; i < phones.length; i++) {
    const m = /^([A-Z]+)([012])$/.exec(phones[i]!);
    if (!m) continue;
    if (firstVowel < 0) firstVowel = i;
    if (m[2] === '1') {
      if (primary) phones[i] = m[1] + '2';
      primary = true;
    }
  }
  if (!primary && firstVowel >= 0) phones[firstVowel] = phones[firstVowel]!.slice(0, -1) + '1';
  return phones;
}

/** Serialises a model to the compact text form stored in lts-model.ts (one line per level). */
export function serializeLts(model: LtsModel): string {
  return model.levels.map((m) => [...m].map(([k, v]) => `${k}=${v}`).join('|')).join('\n');
}

/** Parses the text form written by serializeLts. */
export function parseLts(text: string): LtsModel {
  const lines = text.split('\n');
  if (lines.length !== LEVELS.length) throw new Error(`LTS model: expected ${LEVELS.length} levels, got ${lines.length}`);
  return {
    levels: lines.map((line) => {
      const m = new Map<string, string>();
      if (line) for (const rule of line.split('|')) { const eq = rule.indexOf('='); m.set(rule.slice(0, eq), rule.slice(eq + 1)); }
      return m;
    }),
  };
}
