/** Transcript → model symbols for one dataset item, through the text front-end (`src/text`). */
import { phonemize, phonemizeBaker, type PhonemizeOptions, type PhonemizedSentence } from '../text/index.js';
import type { SymbolTable } from '../text/index.js';
import type { DatasetItem } from './types.js';

/** Symbols of one utterance, their ids in the table, and where words start. */
export interface ItemPhonemes {
  symbols: string[];
  /** Ids in the symbol table; unknown symbols are left out of `ids` and listed in `unknown`. */
  ids: Int32Array;
  /** Index (into `ids`) of each word's first phoneme. */
  wordStarts: Int32Array;
  /** Symbols the table lacks (the item should be skipped). */
  unknown: string[];
}

/**
 * Front-end options that decide which symbols a model sees. Training (here) and synthesis
 * (src/synth) both use them, so the ids a voice was trained on are the ids it is given.
 */
export const MODEL_FRONTEND_OPTIONS = Object.freeze({ inlinePhonemes: false, wordBoundaries: false, bosEos: false } satisfies PhonemizeOptions);

/**
 * Phonemizes an item: Baker prosody + pinyin and AISHELL-3 pinyin are used as given (the dataset's own
 * readings); other text goes through normalisation and G2P for its language. Several sentences are
 * concatenated into one sequence.
 * @example phonemizeItem({ id: 'a', text: 'Hello.', lang: 'en', wavPath: 'a.wav', source: 'x' }, SymbolTable.default()).symbols
 *   // ['HH', 'AH0', 'L', 'OW1', '.']
 */
export function phonemizeItem(item: DatasetItem, table: SymbolTable): ItemPhonemes {
  let sentences: PhonemizedSentence[];
  if (item.lang === 'zh' && item.pinyin) {
    sentences = [phonemizeBaker(item.prosody ?? item.text, item.pinyin.join(' '))];
  } else {
    sentences = phonemize(item.text, { ...MODEL_FRONTEND_OPTIONS, lang: item.lang, maxSentenceChars: 100_000 }).sentences;
  }
  const symbols: string[] = [];
  const starts: number[] = [];
  for (const s of sentences) {
    let lastWord = -1;
    for (const tok of s.tokens) {
      if (tok.word >= 0 && tok.word !== lastWord) { starts.push(symbols.length); lastWord = tok.word; }
      symbols.push(tok.symbol);
    }
  }
  const unknown = [...new Set(symbols.filter((s) => !table.has(s)))];
  const ids = Int32Array.from(symbols.filter((s) => table.has(s)), (s) => table.id(s));
  return { symbols, ids, wordStarts: Int32Array.from(starts), unknown };
}
