/**
 * English grapheme-to-phoneme: user lexicon → heteronym rules → CMUdict → OOV fallback.
 */
import { cmuLookup } from './cmudict.js';
import { resolveHeteronym, HETERONYMS, type WordContext } from './heteronyms.js';
import type { Lexicon } from './lexicon.js';
import { LETTER_MARK } from './normalize-en.js';
import { MorphologicalFallback, type G2PFallback } from './oov-rules.js';

/** Where a pronunciation came from (useful for debugging and for timestamps). */
export type PronunciationSource = 'lexicon' | 'heteronym' | 'dictionary' | 'letters' | 'fallback' | 'phonemes' | 'pinyin';

export interface Pronunciation {
  phones: string[];
  source: PronunciationSource;
}

export interface EnglishG2POptions {
  lexicon?: Lexicon;
  /** Pronounces words missing from the dictionary; default MorphologicalFallback (morphology + learned rules). */
  fallback?: G2PFallback;
}

const VOWEL_START = /^[aeio]|^u(?![nr]i|s[eu]|til|ra|ni)/;

/**
 * English G2P for normalised words.
 *
 * @example
 * const g2p = new EnglishG2P();
 * g2p.pronounce('hello').phones // ['HH','AH0','L','OW1']
 */
export class EnglishG2P {
  private readonly lexicon: Lexicon | undefined;
  private readonly fallback: G2PFallback;
  private readonly oovCache = new Map<string, string[]>();

  constructor(options: EnglishG2POptions = {}) {
    this.lexicon = options.lexicon;
    this.fallback = options.fallback ?? new MorphologicalFallback();
  }

  /** True when the lexicon or the dictionary knows the word. */
  knows(word: string): boolean {
    return !!this.lexicon?.english(word) || cmuLookup(word) !== undefined;
  }

  /** Pronounces one word; `context` enables heteronym rules. */
  pronounce(word: string, context?: Partial<WordContext>): Pronunciation {
    if (word.startsWith(LETTER_MARK)) {
      const letter = word.slice(LETTER_MARK.length).replace(/'s$/, '');
      const phones = cmuLookup(letter.toLowerCase() + '.') ?? this.fallback.pronounce(letter);
      return { phones: word.endsWith("'s") ? [...phones, 'Z'] : [...phones], source: 'letters' };
    }
    const lex = this.lexicon?.english(word);
    if (lex) return { phones: [...lex], source: 'lexicon' };
    const lower = word.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/^'+|'+$/g, '');
    if (!lower) return { phones: [], source: 'dictionary' };
    if (HETERONYMS.has(lower) && context) {
      const ctx: WordContext = { prev: context.prev ?? '', prev2: context.prev2 ?? '', next: context.next ?? '', original: context.original ?? word };
      const h = resolveHeteronym(lower, ctx);
      if (h) return { phones: h, source: 'heteronym' };
    }
    if (lower === 'the' && context?.next && (VOWEL_START.test(context.next) || new RegExp(`^${LETTER_MARK}[aefhilmnorsx]`).test(context.next))) return { phones: ['DH', 'IY0'], source: 'dictionary' };
    const dict = cmuLookup(lower);
    if (dict) return { phones: [...dict], source: 'dictionary' };
    let oov = this.oovCache.get(lower);
    if (!oov) {
      oov = this.fallback.pronounce(lower.replace(/[^a-z']/g, ''));
      if (this.oovCache.size > 50_000) this.oovCache.clear();
      this.oovCache.set(lower, oov);
    }
    return { phones: [...oov], source: 'fallback' };
  }
}
