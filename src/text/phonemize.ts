/**
 * The front door: text (plain or SSML, English, Mandarin or mixed) → sentences of phoneme tokens,
 * with the word each phoneme belongs to (for word timestamps), pauses and per-span prosody controls.
 */
import { EnglishG2P, type PronunciationSource } from './g2p-en.js';
import type { Lexicon } from './lexicon.js';
import { PINYIN_SYLLABLE } from './lexicon.js';
import { LETTER_MARK, normalizeEnglish, spell } from './normalize-en.js';
import { digits, ordinal, year } from './numbers-en.js';
import { normalizeChinese, zhCardinal, zhDigits } from './normalize-zh.js';
import type { G2PFallback } from './oov-rules.js';
import { bakerToItems, chineseToItems, splitPinyin, syllableSymbols, type ZhItem } from './pinyin-zh.js';
import { alignKey, alignSpans, sourceTokens, type SourceToken } from './offsets.js';
import { splitSentences } from './sentences.js';
import { breakMs, DEFAULT_CONTROLS, parseSsml, type BreakStrength, type ProsodyControls, type Segment } from './ssml.js';
import { arpabetToIpa, ipaToArpabet, isArpabet, ZH_PREFIX } from './symbols.js';

export type Lang = 'en' | 'zh';

export interface PhonemizeOptions {
  /** 'en', 'zh' (Latin runs still go through English) or 'auto' (default: zh when the text has Chinese characters). */
  lang?: Lang | 'auto';
  /** User pronunciations; override CMUdict and pinyin-pro. */
  lexicon?: Lexicon;
  /** Parse the input as SSML. */
  ssml?: boolean;
  /** Also give each token its IPA form (`token.ipa`). */
  ipa?: boolean;
  /** Insert `<wb>` between words. Default false. */
  wordBoundaries?: boolean;
  /** Wrap each sentence in `<bos>` … `<eos>`. Default false. */
  bosEos?: boolean;
  /** Sentences longer than this are cut at clause punctuation or spaces. Default 400. */
  maxSentenceChars?: number;
  /** Pronounces English words missing from the dictionary (default: morphology + learned rules). */
  fallback?: G2PFallback;
  /** Read `{HH AH0 L OW1}` / `{ni3 hao3}` in text as phonemes. Default true. */
  inlinePhonemes?: boolean;
  /** Filled with work counters (pieces, characters, alignment cells). */
  stats?: PhonemizeStats;
}

export type TokenKind = 'phone' | 'punct' | 'pause' | 'boundary' | 'special';

/** One model input symbol. */
export interface PhonemeToken {
  symbol: string;
  kind: TokenKind;
  /** Index into `sentence.words`, or -1 for punctuation, pauses and specials. */
  word: number;
  /** Index into `sentence.spans` (prosody controls in force). */
  span: number;
  lang?: Lang;
  /** Requested silence for pauses (SSML break, Baker #n), in ms. */
  pauseMs?: number;
  /** IPA form (with `ipa: true`). */
  ipa?: string;
}

/** A spoken word and its phonemes `tokens[phonemeStart, phonemeEnd)`. */
export interface WordInfo {
  /** Spoken form (after normalisation: "$5" gives words "five", "dollars"). */
  text: string;
  lang: Lang;
  phonemeStart: number;
  phonemeEnd: number;
  source: PronunciationSource;
  /**
   * Character offsets [start, end) of the word's source in the input (UTF-16 indices). Words made from
   * one source token share its span ("$5" → "five", "dollars" both cover "$5"). With SSML the offsets
   * index the markup string; text that cannot be located there (entities, `<sub>` aliases) gets -1.
   */
  start: number;
  end: number;
}

export interface PhonemizedSentence {
  /** Source text of the sentence. */
  text: string;
  tokens: PhonemeToken[];
  words: WordInfo[];
  /** Distinct prosody controls; tokens point here with `span`. spans[0] is the sentence default. */
  spans: ProsodyControls[];
}

export interface PhonemizeResult {
  sentences: PhonemizedSentence[];
  /**
   * Present when something in the input was skipped: letters of scripts the front-end cannot
   * pronounce (Cyrillic, Arabic, Greek, Japanese kana, Hangul, …), with their offset in the input.
   */
  warnings?: string[];
}

/** Work counters filled by `phonemize` when passed in `options.stats` (to check linear scaling). */
export interface PhonemizeStats {
  /** Text pieces (sentences or sentence parts) normalised and pronounced. */
  pieces: number;
  /** Characters in those pieces. */
  pieceChars: number;
  /** Longest piece, in characters (bounded by maxSentenceChars). */
  maxPieceChars: number;
  /** Cells of the word-offset alignments (words × source tokens, summed over pieces). */
  alignCells: number;
}

/** Letters of scripts with no pronunciation here (everything but Latin and Han). */
const UNSUPPORTED_SCRIPT = /(?:(?![\p{Script=Latin}\p{Script=Han}])\p{L}\p{M}*)+(?:[\s\-']+(?:(?![\p{Script=Latin}\p{Script=Han}])\p{L}\p{M}*)+)*/gu;
/** Terminal escape sequences and C0/C1 control characters (tab, newline, carriage return kept). */
const CONTROL = /\u001b\[[0-9;?]*[ -\/]*[@-~]|[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/** Control characters → spaces, vertical tab / form feed → newline (lengths kept, so offsets stay valid). */
export function cleanControlCharacters(text: string): string {
  return text.replace(CONTROL, (m) => ' '.repeat(m.length)).replace(/[\u000b\u000c\u2028\u2029]/g, '\n');
}

/** Warnings for letters in scripts that are skipped. */
function scriptWarnings(text: string): string[] {
  const out: string[] = [];
  UNSUPPORTED_SCRIPT.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = UNSUPPORTED_SCRIPT.exec(text))) {
    if (out.length === 20) { out.push('… more text in unsupported scripts skipped'); break; }
    const shown = m[0].length > 40 ? m[0].slice(0, 40) + '…' : m[0];
    out.push(`skipped text in an unsupported script at offset ${m.index}: "${shown}" (only English and Mandarin are spoken)`);
  }
  return out;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const LATIN_RUN = /[A-Za-z\u00C0-\u024F]+(?:[\s'’.\-&]*[A-Za-z0-9\u00C0-\u024F]+)*/g;
const PAUSE_FOR_STRENGTH: Record<BreakStrength, string> = { none: '', 'x-weak': '<sp1>', weak: '<sp2>', medium: '<sp3>', strong: '<sp4>', 'x-strong': '<sp4>' };
const BAKER_PAUSE_MS: Record<string, number> = { '<sp1>': 0, '<sp2>': 100, '<sp3>': 250, '<sp4>': 500 };

/** Accumulates tokens of the sentence being built. */
class SentenceBuilder {
  readonly sentences: PhonemizedSentence[] = [];
  private cur: PhonemizedSentence = SentenceBuilder.empty();
  private spanIndex = new Map<string, number>();

  constructor(private readonly options: PhonemizeOptions) {}

  private static empty(): PhonemizedSentence {
    return { text: '', tokens: [], words: [], spans: [{ ...DEFAULT_CONTROLS }] };
  }

  span(controls: ProsodyControls): number {
    const key = JSON.stringify(controls);
    let i = this.spanIndex.get(key);
    if (i === undefined) {
      if (key === JSON.stringify(this.cur.spans[0])) i = 0;
      else { i = this.cur.spans.length; this.cur.spans.push({ ...controls }); }
      this.spanIndex.set(key, i);
    }
    return i;
  }

  addText(text: string): void {
    this.cur.text += (this.cur.text && !/\s$/.test(this.cur.text) && !CJK.test(text[0] ?? '') ? ' ' : '') + text.trim();
  }

  addWord(text: string, lang: Lang, phones: string[], source: PronunciationSource, controls: ProsodyControls, where: readonly [number, number] = [-1, -1]): void {
    if (phones.length === 0) return;
    const span = this.span(controls);
    if (this.options.wordBoundaries && this.cur.words.length > 0) this.push({ symbol: '<wb>', kind: 'boundary', word: -1, span });
    const w = this.cur.words.length;
    const start = this.cur.tokens.length;
    for (const p of phones) this.push({ symbol: p, kind: 'phone', word: w, span, lang });
    this.cur.words.push({ text, lang, phonemeStart: start, phonemeEnd: this.cur.tokens.length, source, start: where[0], end: where[1] });
  }

  addSymbol(symbol: string, kind: TokenKind, controls: ProsodyControls, pauseMs?: number): void {
    const t: PhonemeToken = { symbol, kind, word: -1, span: this.span(controls) };
    if (pauseMs !== undefined) t.pauseMs = pauseMs;
    this.push(t);
  }

  private push(t: PhonemeToken): void {
    if (this.options.ipa) t.ipa = t.kind === 'phone' ? toIpa(t.symbol) : t.symbol;
    this.cur.tokens.push(t);
  }

  end(): void {
    const s = this.cur;
    if (s.tokens.some((t) => t.kind === 'phone' || t.kind === 'pause')) {
      if (this.options.bosEos) {
        s.tokens.unshift({ symbol: '<bos>', kind: 'special', word: -1, span: 0 });
        for (const w of s.words) { w.phonemeStart++; w.phonemeEnd++; }
        s.tokens.push({ symbol: '<eos>', kind: 'special', word: -1, span: 0 });
      }
      this.sentences.push(s);
    }
    this.cur = SentenceBuilder.empty();
    this.spanIndex = new Map();
  }
}

function toIpa(symbol: string): string {
  if (symbol.startsWith(ZH_PREFIX)) return symbol.slice(ZH_PREFIX.length);
  return arpabetToIpa(symbol);
}

/** Parses a phoneme string of the given alphabet into model symbols; throws naming the bad symbol. */
export function parsePhonemes(ph: string, alphabet: 'arpabet' | 'ipa' | 'pinyin'): string[] {
  if (alphabet === 'ipa') return ipaToArpabet(ph);
  const parts = ph.trim().split(/[\s|]+/).filter(Boolean);
  if (alphabet === 'pinyin') return parts.flatMap((p) => { const s = splitPinyin(p); return syllableSymbols({ ...s, text: '', citationTone: s.tone }); });
  for (const p of parts) {
    if (!isArpabet(p)) throw new Error(`phonemes "${ph}": "${p}" is not ARPAbet with stress (e.g. AH0, B, OW1)`);
  }
  return parts;
}

/** A segment and where its text starts in the input (-1: unknown). */
type Located = Segment & { offset: number };

/** SSML segments located in the markup: each text is searched for after the previous one. */
function locateSsmlSegments(input: string, segments: Segment[]): Located[] {
  let cursor = 0;
  return segments.map((seg) => {
    if (seg.kind !== 'text' && seg.kind !== 'phonemes') return { ...seg, offset: -1 };
    const at = seg.text ? input.indexOf(seg.text, cursor) : -1;
    if (at >= 0) cursor = at + seg.text.length;
    return { ...seg, offset: at };
  });
}

/** Spans of a piece's units, or all -1 when the piece is not located in the input. */
function spansOf(units: string[], raw: string, base: number, split?: (tokens: readonly SourceToken[]) => number[], stats?: PhonemizeStats): [number, number][] {
  if (base < 0) return units.map(() => [-1, -1]);
  const src = sourceTokens(raw, base);
  if (stats) stats.alignCells += units.length * src.length;
  return alignSpans(units, src, split);
}

/** Splits plain text at inline `{...}` phoneme groups. */
function inlinePhonemeSegments(text: string, controls: ProsodyControls, base: number): Located[] {
  const out: Located[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index), controls, offset: base < 0 ? -1 : base + last });
    const parts = m[1]!.trim().split(/\s+/).filter(Boolean);
    const alphabet = parts.length > 0 && parts.every((p) => PINYIN_SYLLABLE.test(p)) ? 'pinyin' : 'arpabet';
    out.push({ kind: 'phonemes', alphabet, ph: m[1]!, text: m[0], controls, offset: base < 0 ? -1 : base + m.index });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last), controls, offset: base < 0 ? -1 : base + last });
  return out;
}

/** English spoken form for <say-as>. */
function sayAsEnglish(text: string, interpretAs: string, format: string | undefined): string {
  const t = text.trim();
  const num = t.replace(/[^\d.-]/g, '');
  switch (interpretAs) {
    case 'characters': case 'spell-out': case 'verbatim': return spell(t);
    case 'cardinal': case 'number': return /^-?\d+(\.\d+)?$/.test(num) ? normalizeEnglish(num) : normalizeEnglish(t);
    case 'ordinal': return /^\d+$/.test(num) ? ordinal(num) : normalizeEnglish(t);
    case 'digits': return digits(t);
    case 'telephone': return t.split(/[^\d]+/).filter(Boolean).map((g) => digits(g)).join(', ');
    case 'date': {
      const parts = t.split(/[-/.\s]+/).map(Number);
      const f = (format ?? (/^\d{4}/.test(t) ? 'ymd' : 'mdy')).toLowerCase();
      const get = (c: string): number | undefined => { const i = f.indexOf(c); return i >= 0 ? parts[i] : undefined; };
      const y = get('y'), mo = get('m'), d = get('d');
      const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
      const words: string[] = [];
      if (mo !== undefined && mo >= 1 && mo <= 12) words.push(MONTHS[mo - 1]!);
      if (d !== undefined && d >= 1 && d <= 31) words.push(ordinal(d));
      if (y !== undefined && Number.isFinite(y)) words.push((words.length ? ', ' : '') + year(y));
      return words.length ? words.join(' ').replace(' ,', ',') : normalizeEnglish(t);
    }
    case 'time': return normalizeEnglish(t);
    default: return normalizeEnglish(t);
  }
}

function sayAsChinese(text: string, interpretAs: string): string {
  const t = text.trim();
  switch (interpretAs) {
    case 'cardinal': case 'number': return /^\d+$/.test(t) ? zhCardinal(t) : normalizeChinese(t);
    case 'ordinal': return /^\d+$/.test(t) ? '第' + zhCardinal(t) : normalizeChinese(t);
    case 'digits': return zhDigits(t);
    case 'telephone': return zhDigits(t, true);
    default: return normalizeChinese(t);
  }
}

function langOf(controls: ProsodyControls, fallback: PhonemizeOptions['lang']): Lang | 'auto' {
  const l = controls.lang?.toLowerCase();
  if (l?.startsWith('zh') || l?.startsWith('cmn')) return 'zh';
  if (l?.startsWith('en')) return 'en';
  return fallback ?? 'auto';
}

/**
 * Text → phonemes, sentence by sentence.
 *
 * @example
 * const { sentences } = phonemize('Dr. Smith paid $5. 你好！', { lang: 'auto' });
 * sentences[0].tokens.map((t) => t.symbol) // ['D','AA1','K','T','ER0', ..., '.']
 * sentences[0].words[0] // { text: 'Doctor', phonemeStart: 0, phonemeEnd: 5, ... }
 */
export function phonemize(text: string, options: PhonemizeOptions = {}): PhonemizeResult {
  const builder = new SentenceBuilder(options);
  if (!text || !text.trim()) return { sentences: [] };
  text = cleanControlCharacters(text);
  const warnings = scriptWarnings(text);
  const stats = options.stats;
  const g2p = new EnglishG2P({ ...(options.lexicon ? { lexicon: options.lexicon } : {}), ...(options.fallback ? { fallback: options.fallback } : {}) });
  const maxChars = options.maxSentenceChars ?? 400;

  let segments: Located[] = options.ssml ? locateSsmlSegments(text, parseSsml(text)) : [{ kind: 'text', text, controls: { ...DEFAULT_CONTROLS }, offset: 0 }];
  if (options.inlinePhonemes !== false) {
    segments = segments.flatMap((s) => (s.kind === 'text' && !s.sayAs && s.text.includes('{') ? inlinePhonemeSegments(s.text, s.controls, s.offset) : [s]));
  }

  const normEn = (raw: string): string => normalizeEnglish(raw, { isKnownWord: (w) => g2p.knows(w), isLexiconWord: (w) => !!options.lexicon?.english(w) });
  const wordRe = new RegExp(`${LETTER_MARK}?[A-Za-z\\u00C0-\\u024F]+(?:'[A-Za-z]+)*|[,.?!]`, 'g');
  const enTokens = (norm: string): string[] => norm.match(wordRe) ?? [];
  /** Words each unmatched source token makes on its own (to split a gap between alignment anchors). */
  const splitCache = new Map<string, number>();
  const splitEn = (gap: readonly SourceToken[]): number[] => {
    if (gap.length > 8) return [];
    return gap.map((t) => {
      const src = text.slice(t.start, t.end);
      let c = splitCache.get(src);
      if (c === undefined) {
        c = enTokens(normEn(src)).filter((w) => !/^[,.?!]$/.test(w)).length;
        if (splitCache.size > 10_000) splitCache.clear();
        splitCache.set(src, c);
      }
      return c;
    });
  };

  /** English text starting at `base` in the input (-1: not located). */
  const english = (raw: string, controls: ProsodyControls, base: number, preNormalized?: string): void => {
    const norm = preNormalized ?? normEn(raw);
    const toks = enTokens(norm);
    const wordToks = toks.filter((t) => !/^[,.?!]$/.test(t));
    const words = wordToks.map((t) => t.toLowerCase());
    // Split counts re-normalise single tokens; only meaningful when `text` holds the raw source.
    const spans = spansOf(wordToks.map(alignKey), raw, base, options.ssml || preNormalized !== undefined ? undefined : splitEn, stats);
    let wi = 0;
    for (const tok of toks) {
      if (/^[,.?!]$/.test(tok)) { builder.addSymbol(tok, 'punct', controls); continue; }
      const ctx = { prev: words[wi - 1] ?? '', prev2: words[wi - 2] ?? '', next: words[wi + 1] ?? '', original: tok };
      const p = g2p.pronounce(tok, ctx);
      builder.addWord(tok.replace(LETTER_MARK, ''), 'en', p.phones, p.source, controls, spans[wi]);
      wi++;
    }
  };

  const chineseItems = (items: ZhItem[], controls: ProsodyControls, raw: string, base: number): void => {
    const spans = zhWordSpans(items, raw, base, stats);
    let wi = 0;
    for (const it of items) {
      if (it.kind === 'word') {
        builder.addWord(it.word.text, 'zh', it.word.syllables.flatMap(syllableSymbols), it.word.source === 'lexicon' ? 'lexicon' : 'pinyin', controls, spans[wi++]);
      } else if (it.kind === 'punct') builder.addSymbol(it.symbol, 'punct', controls);
      else builder.addSymbol(it.symbol, 'pause', controls, BAKER_PAUSE_MS[it.symbol]);
    }
  };

  const chinese = (raw: string, controls: ProsodyControls, base: number): void => {
    // English runs inside Chinese text go through the English path; Baker labels #1-#4 are kept.
    let last = 0;
    LATIN_RUN.lastIndex = 0;
    let m: RegExpExecArray | null;
    const zhPart = (s: string, at: number): void => {
      if (!s.trim()) return;
      const norm = s.split(/(#[1-4])/).map((p) => (/^#[1-4]$/.test(p) ? p : normalizeChinese(p))).join('');
      chineseItems(chineseToItems(norm, options.lexicon), controls, s, base < 0 ? -1 : base + at);
    };
    while ((m = LATIN_RUN.exec(raw))) {
      zhPart(raw.slice(last, m.index), last);
      english(m[0], controls, base < 0 ? -1 : base + m.index);
      last = m.index + m[0].length;
    }
    zhPart(raw.slice(last), last);
  };

  const textPiece = (piece: string, controls: ProsodyControls, base: number, sayAs?: { interpretAs: string; format?: string }): void => {
    builder.addText(piece);
    if (stats) { stats.pieces++; stats.pieceChars += piece.length; stats.maxPieceChars = Math.max(stats.maxPieceChars, piece.length); }
    const lang = langOf(controls, options.lang);
    const isZh = lang === 'zh' || (lang === 'auto' && CJK.test(piece));
    if (sayAs) {
      if (isZh) chineseItems(chineseToItems(sayAsChinese(piece, sayAs.interpretAs), options.lexicon), controls, piece, base);
      else english(piece, controls, base, sayAsEnglish(piece, sayAs.interpretAs, sayAs.format));
      return;
    }
    if (isZh) chinese(piece, controls, base);
    else english(piece, controls, base);
  };

  for (const seg of segments) {
    switch (seg.kind) {
      case 'boundary': builder.end(); break;
      case 'break': {
        if (seg.strength === 'none' && seg.timeMs === undefined) break;
        if (seg.timeMs !== undefined) builder.addSymbol('<sil>', 'pause', seg.controls, seg.timeMs);
        else builder.addSymbol(PAUSE_FOR_STRENGTH[seg.strength], 'pause', seg.controls, breakMs(seg.strength));
        break;
      }
      case 'phonemes': {
        const phones = parsePhonemes(seg.ph, seg.alphabet);
        builder.addText(seg.text);
        builder.addWord(seg.text || seg.ph, seg.alphabet === 'pinyin' ? 'zh' : 'en', phones, 'phonemes', seg.controls,
          seg.offset >= 0 ? [seg.offset, seg.offset + seg.text.length] : [-1, -1]);
        break;
      }
      case 'text': {
        if (seg.sayAs) { textPiece(seg.text, seg.controls, seg.offset, seg.sayAs); break; }
        const pieces = splitSentences(seg.text, maxChars);
        pieces.forEach((p, k) => {
          if (k > 0) builder.end();
          textPiece(p.text, seg.controls, seg.offset < 0 ? -1 : seg.offset + p.start);
        });
        // A piece ending in sentence punctuation closes the sentence; otherwise the next segment continues it.
        const lastPiece = pieces[pieces.length - 1];
        if (lastPiece && /[.!?。！？；…]["'”’)\]）」』]*\s*$/.test(seg.text)) builder.end();
        break;
      }
    }
  }
  builder.end();
  return warnings.length ? { sentences: builder.sentences, warnings } : { sentences: builder.sentences };
}

/**
 * A Baker (标贝) transcript pair → one sentence (pinyin used as given, #1-#4 → `<sp1>`..`<sp4>`).
 *
 * @example phonemizeBaker('卡尔普#2陪外孙#1玩滑梯#4。', 'ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1')
 */
export function phonemizeBaker(charLine: string, pinyinLine: string, options: Pick<PhonemizeOptions, 'ipa' | 'wordBoundaries' | 'bosEos'> = {}): PhonemizedSentence {
  const builder = new SentenceBuilder(options);
  const controls = { ...DEFAULT_CONTROLS };
  builder.addText(charLine.replace(/^\s*\d+\s+/, '').replace(/#[1-4]/g, ''));
  const items = bakerToItems(charLine, pinyinLine);
  const spans = zhWordSpans(items, charLine, 0);
  let wi = 0;
  for (const it of items) {
    if (it.kind === 'word') builder.addWord(it.word.text, 'zh', it.word.syllables.flatMap(syllableSymbols), 'pinyin', controls, spans[wi++]);
    else if (it.kind === 'punct') builder.addSymbol(it.symbol, 'punct', controls);
    else builder.addSymbol(it.symbol, 'pause', controls, BAKER_PAUSE_MS[it.symbol]);
  }
  builder.end();
  return builder.sentences[0] ?? { text: '', tokens: [], words: [], spans: [{ ...DEFAULT_CONTROLS }] };
}

/** Source spans of the word items of Chinese text `raw` (at `base` in the input), aligned character by character. */
function zhWordSpans(items: readonly ZhItem[], raw: string, base: number, stats?: PhonemizeStats): [number, number][] {
  const words = items.flatMap((it) => (it.kind === 'word' ? [it.word.text] : []));
  const units: string[] = [], owner: number[] = [];
  words.forEach((w, k) => { for (const c of w) { units.push(alignKey(c)); owner.push(k); } });
  const unitSpans = spansOf(units, raw, base, undefined, stats);
  const out: [number, number][] = words.map(() => [Infinity, -Infinity]);
  unitSpans.forEach(([a, b], u) => { const o = out[owner[u]!]!; o[0] = Math.min(o[0], a); o[1] = Math.max(o[1], b); });
  return out.map(([a, b]) => (Number.isFinite(a) ? [a, b] : [-1, -1]));
}

/** The symbol sequence of a sentence (what a SymbolTable encodes). */
export function sentenceSymbols(sentence: PhonemizedSentence): string[] {
  return sentence.tokens.map((t) => t.symbol);
}


/** One spoken word with its phonemes and where it came from in the input. */
export interface WordPhonemes {
  /** Spoken (normalised) word: "$5" gives "five" and "dollars". */
  word: string;
  /** Its phoneme symbols (ARPAbet with stress, or `zh:` Baker symbols); IPA with `ipa: true`. */
  phonemes: string[];
  /** Character offsets [start, end) of the word's source in the input; -1 when not located (SSML entities, `<sub>`). */
  start: number;
  end: number;
  lang: Lang;
  /** Index of the sentence the word belongs to. */
  sentence: number;
  /** Where the pronunciation came from (dictionary, fallback, lexicon, …). */
  source: PronunciationSource;
}

/**
 * Text → spoken words in order, each with its phonemes and the character offsets of its source in the
 * input (for word timestamps). Same options as `phonemize`; punctuation and pauses are not listed.
 *
 * @example
 * textToPhonemes('Pay $5.', { lang: 'en' })
 * // [{ word: 'Pay', phonemes: ['P','EY1'], start: 0, end: 3, ... },
 * //  { word: 'five', phonemes: ['F','AY1','V'], start: 4, end: 6, ... },
 * //  { word: 'dollars', phonemes: ['D','AA1','L','ER0','Z'], start: 4, end: 6, ... }]
 */
export function textToPhonemes(text: string, options: PhonemizeOptions = {}): WordPhonemes[] {
  const out: WordPhonemes[] = [];
  phonemize(text, options).sentences.forEach((s, si) => {
    for (const w of s.words) {
      const toks = s.tokens.slice(w.phonemeStart, w.phonemeEnd);
      out.push({
        word: w.text, phonemes: toks.map((t) => (options.ipa ? t.ipa ?? t.symbol : t.symbol)),
        start: w.start, end: w.end, lang: w.lang, sentence: si, source: w.source,
      });
    }
  });
  return out;
}
