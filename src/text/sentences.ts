/**
 * Sentence splitting for English and Chinese, linear in the input length.
 * A period does not end a sentence after a title or common abbreviation ("Dr. Smith"), after a
 * single initial ("J. K. Rowling"), inside a number ("3.14"), or before a lower-case word.
 */

/** A sentence and where it sits in the input. */
export interface SentenceSpan {
  text: string;
  start: number;
  end: number;
}

/** Abbreviations that (almost) never end a sentence. */
const NO_BREAK = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'mt', 'gen', 'capt', 'lt', 'col', 'sgt', 'gov', 'sen', 'rep', 'rev', 'hon', 'pres',
  'adm', 'maj', 'cmdr', 'supt', 'fr', 'no', 'vol', 'fig', 'vs', 'approx', 'e.g', 'i.e', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept',
  'oct', 'nov', 'dec', 'ave', 'blvd', 'rd', 'ln', 'hwy', 'dept', 'univ', 'p', 'pp', 'ca', 'cf', 'al']);

const BOUNDARY = /([.!?]+|[。！？；]+|…+)(["'”’)\]）」』]*)(\s+|$)|([。！？；]+["”’）」』]*)|\n+/g;

/**
 * Splits text into sentences; long sentences are cut at clause punctuation or spaces so none is
 * longer than `maxChars` (a TTS model cannot say a 1 MB sentence).
 *
 * @example splitSentences('Dr. Smith paid $3.50. Then he left!').map((s) => s.text)
 * // ['Dr. Smith paid $3.50.', 'Then he left!']
 */
export function splitSentences(text: string, maxChars = 400): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  let start = 0;
  const push = (end: number): void => {
    let s = start;
    while (s < end && /\s/.test(text[s]!)) s++;
    let e = end;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) for (const piece of cutLong(text, s, e, maxChars)) out.push(piece);
    start = end;
  };
  BOUNDARY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BOUNDARY.exec(text))) {
    if (m[0].length === 0) { BOUNDARY.lastIndex++; continue; }
    if (m[1] !== undefined && m[1].startsWith('.') && m[1] === '.') {
      // Look at the word before the period and the character after the space.
      const before = /([A-Za-z.]+)$/.exec(text.slice(Math.max(0, m.index - 12), m.index))?.[1] ?? '';
      const word = before.toLowerCase().replace(/^\.+/, '');
      const after = text[m.index + m[0].length] ?? '';
      if (after && /[a-z0-9,;]/.test(after)) continue;
      // "a.m."/"p.m." before a capital ends the sentence ("at 3 p.m. They left.").
      const ampm = /^[ap]\.m$/.test(word);
      // "Main St. He left." / "Oak Dr. Then": after a capitalised street name it is Street/Drive and can end.
      const street = /^(st|dr|ave|rd|blvd|ln)$/.test(word) && /[A-Z]/.test(after) &&
        /(?:^|[^.!?]\s)[A-Z][a-z]+\s+$/.test(text.slice(Math.max(0, m.index - word.length - 30), m.index - word.length));
      if (NO_BREAK.has(word) && !street) continue;
      if (ampm && /[A-Z]/.test(after)) { push(m.index + m[0].length); continue; }
      if (/^[A-Z]$/.test(before) && /[A-Z]/.test(after)) continue;
      if (/^(?:[A-Za-z]\.)+[A-Za-z]$/.test(before) && /[A-Z]/.test(after) && before.length <= 5) continue;
    }
    push(m.index + m[0].length);
  }
  push(text.length);
  return out;
}

function* cutLong(text: string, s: number, e: number, maxChars: number): Generator<SentenceSpan> {
  while (e - s > maxChars) {
    const window = text.slice(s, s + maxChars);
    let cut = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf('，'), window.lastIndexOf('、'));
    if (cut < maxChars / 3) cut = window.lastIndexOf(' ');
    if (cut < maxChars / 3) cut = maxChars - 1;
    const end = s + cut + 1;
    yield { text: text.slice(s, end).trim(), start: s, end };
    s = end;
    while (s < e && /\s/.test(text[s]!)) s++;
  }
  if (e > s) yield { text: text.slice(s, e), start: s, end: e };
}
