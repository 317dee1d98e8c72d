/**
 * Text → phonemized sentences, lazily: plain text is split into sentences first and each is
 * phonemized only when the pipeline reaches it, so a book-length input never holds more than one
 * sentence's tokens. SSML is parsed as a whole (its markup spans sentences).
 */
import { phonemize, splitSentences, type Lang, type PhonemizedSentence } from '../text/index.js';
import { MODEL_FRONTEND_OPTIONS } from '../data/text.js';

/** A phonemized sentence and the string its word offsets index. */
export interface SourceSentence {
  sentence: PhonemizedSentence;
  /** The phonemized string (a sentence of the input, or the whole SSML document). */
  source: string;
  /** Where `source` starts in the input. */
  textOffset: number;
}

export interface SentenceOptions {
  lang: Lang | 'auto';
  ssml: boolean;
  /** Longer sentences are cut at clause punctuation or spaces (phonemize's maxSentenceChars). */
  maxSentenceChars: number;
  onWarning?: (message: string) => void;
}

/** The front-end language for a voice's `language` tag. */
export function frontEndLanguage(language: string): Lang | 'auto' {
  const l = language.toLowerCase();
  if (l === 'en' || l.startsWith('en-')) return 'en';
  if (l === 'zh' || l.startsWith('zh-') || l === 'cmn') return 'zh';
  return 'auto';
}

/**
 * Yields the sentences of `text` one at a time (same front-end options as training).
 * @example [...phonemizedSentences('Hi. Bye.', { lang: 'en', ssml: false, maxSentenceChars: 200 })].length // 2
 */
export function* phonemizedSentences(text: string, opts: SentenceOptions): Generator<SourceSentence> {
  const options = { ...MODEL_FRONTEND_OPTIONS, lang: opts.lang, maxSentenceChars: opts.maxSentenceChars };
  if (opts.ssml) {
    const r = phonemize(text, { ...options, ssml: true });
    for (const w of r.warnings ?? []) opts.onWarning?.(w);
    for (const sentence of r.sentences) yield { sentence, source: text, textOffset: 0 };
    return;
  }
  for (const span of splitSentences(text, opts.maxSentenceChars)) {
    const r = phonemize(span.text, options);
    for (const w of r.warnings ?? []) opts.onWarning?.(w.replace(/at offset (\d+)/, (_, n: string) => `at offset ${Number(n) + span.start}`));
    for (const sentence of r.sentences) yield { sentence, source: span.text, textOffset: span.start };
  }
}
