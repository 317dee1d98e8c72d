/**
 * One phonemized sentence → the pieces the models are run on.
 *
 * - Symbols the voice's table lacks are dropped (reported once through `onUnknownSymbol`).
 * - Pause tokens (SSML `<break>`, Baker `#n`) are not model input: they become silence of the
 *   requested length, spliced into the mel at their position (voices are trained on plain text, so
 *   a pause symbol would be a token the model never saw).
 * - SSML prosody spans become a per-phoneme duration scale (rate), a per-piece pitch shift (the
 *   model takes one shift per call, so the sentence is split where the pitch changes) and a
 *   per-phoneme gain applied to the audio (volume).
 * - A long sentence is cut after commas or pauses into pieces of at most `maxPiecePhonemes`, so
 *   the first audio of a stream comes quickly and memory stays bounded.
 */
import type { PhonemizedSentence, SymbolTable } from '../text/index.js';

/** One input position of a piece: a model phoneme or a pause. */
export interface PlannedToken {
  symbol: string;
  /** Index into the piece's `ids`, or -1 for a pause realised as silence. */
  input: number;
  /** Silence length of a pause, seconds (0 for model phonemes). */
  pauseSeconds: number;
  /** Index into the piece's `words`, or -1 (punctuation, pauses). */
  word: number;
  /** SSML volume in force, dB (0 = unchanged). */
  gainDb: number;
}

/** A word of a piece: tokens [firstToken, endToken). */
export interface PlannedWord {
  text: string;
  firstToken: number;
  endToken: number;
  /** Character offsets of the word's source in the whole input; -1 when unknown. */
  textStart: number;
  textEnd: number;
}

/** What one acoustic-model call (and one vocoder call) renders. */
export interface SpeechPiece {
  /** Source text this piece speaks. */
  text: string;
  /** Model input (symbol ids); may be empty when the piece is only a pause. */
  ids: Int32Array;
  /** Per-id duration multiplier (SSML rate), or null when all are 1. */
  durationScale: Float32Array | null;
  /** SSML pitch shift of the piece, semitones. */
  pitchSemitones: number;
  tokens: PlannedToken[];
  words: PlannedWord[];
  /** True for the last piece of its sentence. */
  endsSentence: boolean;
}

export interface PlanOptions {
  symbols: SymbolTable;
  /** Pieces longer than this many model phonemes are cut after commas/pauses. Default 50 (≈ 4 s). */
  maxPiecePhonemes?: number;
  /** No piece shorter than this is cut off (a lone "Yes," is fine as part of a longer piece). Default 8. */
  minPiecePhonemes?: number;
  /** Where the phonemized string starts in the whole input (word offsets are shifted by it). */
  textOffset?: number;
  /** The string that was phonemized (to slice piece texts); word offsets index it. */
  source?: string;
  /** Called for each symbol the table lacks (dropped from the input). */
  onUnknownSymbol?: (symbol: string) => void;
}

interface Draft {
  symbol: string;
  pauseSeconds: number;
  isPause: boolean;
  isPunct: boolean;
  /** Index into sentence.words, or -1. */
  word: number;
  rate: number;
  pitch: number;
  gainDb: number;
}

/**
 * Plans one sentence.
 * @example planSentence(phonemize('Hello there.').sentences[0], { symbols: SymbolTable.default() })[0].ids.length // 8
 */
export function planSentence(sentence: PhonemizedSentence, opts: PlanOptions): SpeechPiece[] {
  const table = opts.symbols;
  const drafts: Draft[] = [];
  for (const tok of sentence.tokens) {
    const span = sentence.spans[tok.span] ?? sentence.spans[0]!;
    const base = { word: tok.word, rate: span.rate, pitch: span.pitchSemitones, gainDb: span.volumeDb };
    if (tok.kind === 'pause') {
      const seconds = (tok.pauseMs ?? 0) / 1000;
      if (seconds > 0) drafts.push({ ...base, symbol: tok.symbol, pauseSeconds: seconds, isPause: true, isPunct: false, word: -1 });
      continue;
    }
    if (!table.has(tok.symbol)) { opts.onUnknownSymbol?.(tok.symbol); continue; }
    drafts.push({ ...base, symbol: tok.symbol, pauseSeconds: 0, isPause: false, isPunct: tok.kind === 'punct' });
  }
  const ranges = splitRanges(drafts, opts.maxPiecePhonemes ?? 50, opts.minPiecePhonemes ?? 8);
  return ranges.map(([a, b], k) => buildPiece(sentence, drafts.slice(a, b), table, opts, ranges.length === 1, k === ranges.length - 1));
}

/** Token ranges of the pieces: cut where the pitch changes, then long runs after commas/pauses. */
function splitRanges(drafts: Draft[], maxPhones: number, minPhones: number): [number, number][] {
  // Punctuation and pauses carry the sentence's default span: they follow the words before them.
  let carried = drafts.find((d) => d.word >= 0)?.pitch ?? 0;
  for (const d of drafts) { if (d.word >= 0) carried = d.pitch; else d.pitch = carried; }
  const runs: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= drafts.length; i++) {
    if (i === drafts.length || drafts[i]!.pitch !== drafts[i - 1]!.pitch) { runs.push([start, i]); start = i; }
  }
  return runs.flatMap(([a, b]) => splitLong(drafts, a, b, maxPhones, minPhones));
}

function splitLong(drafts: Draft[], a: number, b: number, maxPhones: number, minPhones: number): [number, number][] {
  const phones = (from: number, to: number): number => { let n = 0; for (let i = from; i < to; i++) if (!drafts[i]!.isPause) n++; return n; };
  if (phones(a, b) <= maxPhones) return [[a, b]];
  const out: [number, number][] = [];
  let start = a, count = 0, lastCut = -1, lastWordEdge = -1;
  for (let i = a; i < b; i++) {
    const d = drafts[i]!;
    if (!d.isPause) count++;
    // A cut after i is a clause boundary (comma, pause) when the next token is not one too.
    const next = drafts[i + 1];
    const clause = (d.isPunct || d.isPause) && next !== undefined && !next.isPunct && !next.isPause;
    if (clause && count >= minPhones && phones(i + 1, b) >= minPhones) lastCut = i + 1;
    if (next !== undefined && next.word !== d.word && next.word >= 0 && count >= minPhones) lastWordEdge = i + 1;
    if (count > maxPhones) {
      // Cut at the last clause boundary; with none, a run over 3x the limit is cut between words.
      const cut = lastCut > start ? lastCut : count > 3 * maxPhones && lastWordEdge > start ? lastWordEdge : -1;
      if (cut > 0) {
        out.push([start, cut]);
        start = cut;
        count = phones(start, i + 1);
        lastCut = -1; lastWordEdge = -1;
      }
    }
  }
  out.push([start, b]);
  return out;
}

function buildPiece(sentence: PhonemizedSentence, drafts: Draft[], table: SymbolTable, opts: PlanOptions, whole: boolean, endsSentence: boolean): SpeechPiece {
  const offset = opts.textOffset ?? 0;
  const ids: number[] = [];
  const scales: number[] = [];
  const tokens: PlannedToken[] = [];
  const words: PlannedWord[] = [];
  const wordIndex = new Map<number, number>();
  for (const d of drafts) {
    let word = -1;
    if (d.word >= 0) {
      const info = sentence.words[d.word]!;
      let w = wordIndex.get(d.word);
      if (w === undefined) {
        w = words.length;
        wordIndex.set(d.word, w);
        const located = info.start >= 0;
        words.push({ text: info.text, firstToken: tokens.length, endToken: tokens.length, textStart: located ? info.start + offset : -1, textEnd: located ? info.end + offset : -1 });
      }
      words[w]!.endToken = tokens.length + 1;
      word = w;
    }
    const input = d.isPause ? -1 : ids.length;
    if (!d.isPause) { ids.push(table.id(d.symbol)); scales.push(1 / d.rate); }
    tokens.push({ symbol: d.symbol, input, pauseSeconds: d.pauseSeconds, word, gainDb: d.gainDb });
  }
  return {
    text: whole ? sentence.text : pieceText(words, opts.source, offset),
    ids: Int32Array.from(ids),
    durationScale: scales.some((s) => s !== 1) ? Float32Array.from(scales) : null,
    pitchSemitones: drafts[0]?.pitch ?? 0,
    tokens,
    words,
    endsSentence,
  };
}

/** The source text of some words: the input slice they came from, else the spoken words. */
function pieceText(words: PlannedWord[], source: string | undefined, offset: number): string {
  const located = words.filter((w) => w.textStart >= 0);
  if (source !== undefined && located.length === words.length && located.length > 0) {
    const from = Math.min(...located.map((w) => w.textStart)) - offset, to = Math.max(...located.map((w) => w.textEnd)) - offset;
    // Keep the punctuation right after the last word ("one, two," → "one, two,").
    const tail = /^[^\s\w]*/.exec(source.slice(to))?.[0] ?? '';
    return source.slice(from, to + tail.length);
  }
  return words.map((w) => w.text).join(' ');
}
