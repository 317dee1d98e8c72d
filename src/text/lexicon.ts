/**
 * User pronunciation lexicon: overrides CMUdict (English, ARPAbet) and pinyin-pro (Chinese, pinyin).
 *
 * Text format, one entry a line, `#` starts a comment:
 *     tomato     T AH0 M AA1 T OW2
 *     ClipTTS    K L IH1 P T IY1 T IY1 EH1 S
 *     银行        yin2 hang2
 * CMUdict format is the same text format: `;;;` comment lines are skipped and `WORD(2)  ...` alternates
 * are kept as alternates (the first pronunciation of a word is the one used).
 * JSON format: `{ "tomato": "T AH0 M AA1 T OW2", "银行": ["yin2", "hang2"] }`.
 * English keys are case-insensitive. Unknown phonemes are errors naming the line.
 */
import { isArpabet, isArpabetVowel } from './symbols.js';

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
/** A pinyin syllable with tone digit 1-5 (ü may be written v or u:). */
export const PINYIN_SYLLABLE = /^[a-zv:ü]+[1-5]$/;

/** A bad lexicon entry; `line` is 1-based (0 for JSON input, where `word` names the entry). */
export class LexiconError extends Error {
  override name = 'LexiconError';
  constructor(message: string, readonly line: number, readonly source: string) {
    super(`${source}${line > 0 ? `:${line}` : ''}: ${message}`);
  }
}

/**
 * Word → phonemes overrides.
 *
 * @example
 * const lex = Lexicon.parse('tomato  T AH0 M AA1 T OW2');
 * lex.english('Tomato') // ['T','AH0','M','AA1','T','OW2']
 */
export class Lexicon {
  private readonly en = new Map<string, string[]>();
  private readonly zh = new Map<string, string[]>();
  /** CMUdict-style alternates (`WORD(2)`), after the primary pronunciation. */
  private readonly alternates = new Map<string, string[][]>();
  /** Longest Chinese key, for longest-match scanning. */
  private zhMaxLength = 0;

  /** Parses the text format; throws LexiconError naming the line. */
  static parse(text: string, source = 'lexicon'): Lexicon {
    const lex = new Lexicon();
    text.split(/\r?\n/).forEach((raw, i) => {
      if (/^\s*;;;/.test(raw)) return; // CMUdict comment
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) return;
      const [word, ...phones] = line.split(/\s+/);
      if (phones.length === 0) throw new LexiconError(`entry "${word}" has no phonemes`, i + 1, source);
      const alt = /^(.+)\((\d+)\)$/.exec(word!);
      if (alt && !CJK.test(alt[1]!)) lex.addAlternate(alt[1]!, phones, i + 1, source);
      else lex.add(word!, phones, i + 1, source);
    });
    return lex;
  }

  /** Loads `{ word: "PH PH" | ["PH", "PH"] }`; throws LexiconError naming the word. */
  static fromJSON(json: unknown, source = 'lexicon.json'): Lexicon {
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new LexiconError('expected an object { word: phonemes }', 0, source);
    const lex = new Lexicon();
    for (const [word, value] of Object.entries(json as Record<string, unknown>)) {
      const phones = typeof value === 'string' ? value.trim().split(/\s+/).filter(Boolean)
        : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
      if (!phones || phones.length === 0) throw new LexiconError(`entry "${word}": expected a phoneme string or array`, 0, source);
      lex.add(word, phones, 0, `${source} entry "${word}"`);
    }
    return lex;
  }

  /** Parses text or JSON, by content (JSON when it starts with `{`). */
  static load(content: string, source = 'lexicon'): Lexicon {
    if (content.trimStart().startsWith('{')) {
      let json: unknown;
      try { json = JSON.parse(content); } catch (e) {
        throw new LexiconError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`, 0, source);
      }
      return Lexicon.fromJSON(json, source);
    }
    return Lexicon.parse(content, source);
  }

  /** Adds or replaces one entry (validated). */
  add(word: string, phones: readonly string[], line = 0, source = 'lexicon'): void {
    if (CJK.test(word)) {
      const syllables = phones.map((p) => p.toLowerCase());
      const bad = syllables.find((s) => !PINYIN_SYLLABLE.test(s));
      if (bad !== undefined) throw new LexiconError(`"${bad}" is not a pinyin syllable with tone 1-5 (entry "${word}")`, line, source);
      const chars = [...word].filter((c) => CJK.test(c)).length;
      if (chars !== syllables.length) throw new LexiconError(`entry "${word}" has ${chars} characters but ${syllables.length} syllables`, line, source);
      this.zh.set(word, syllables);
      this.zhMaxLength = Math.max(this.zhMaxLength, word.length);
      return;
    }
    for (const p of phones) {
      if (isArpabet(p)) continue;
      const hint = isArpabetVowel(p) ? ` (vowels need a stress digit: ${p}0, ${p}1 or ${p}2)` : ' (expected ARPAbet such as AA1, B, CH)';
      throw new LexiconError(`unknown phoneme "${p}" in entry "${word}"${hint}`, line, source);
    }
    this.en.set(word.toLowerCase(), [...phones]);
  }

  /** Adds a CMUdict-style alternate (`WORD(2)`); it becomes the primary if the word has none yet. */
  addAlternate(word: string, phones: readonly string[], line = 0, source = 'lexicon'): void {
    const key = word.toLowerCase();
    if (!this.en.has(key)) { this.add(word, phones, line, source); return; }
    const before = this.en.get(key)!;
    this.add(word, phones, line, source); // validates
    this.en.set(key, before);
    const list = this.alternates.get(key) ?? [];
    list.push([...phones]);
    this.alternates.set(key, list);
  }

  /** Every English pronunciation of a word (primary first, then `WORD(2)`… alternates). */
  englishAll(word: string): string[][] {
    const p = this.en.get(word.toLowerCase());
    return p ? [p, ...(this.alternates.get(word.toLowerCase()) ?? [])] : [];
  }

  /** English override, or undefined. */
  english(word: string): string[] | undefined {
    return this.en.get(word.toLowerCase());
  }

  /** Chinese override (pinyin syllables), or undefined. */
  chinese(word: string): string[] | undefined {
    return this.zh.get(word);
  }

  /** Longest Chinese key starting at `text[start]`, with its syllables. */
  matchChinese(text: string, start: number): { word: string; syllables: string[] } | undefined {
    for (let len = Math.min(this.zhMaxLength, text.length - start); len >= 1; len--) {
      const w = text.slice(start, start + len);
      const s = this.zh.get(w);
      if (s) return { word: w, syllables: s };
    }
    return undefined;
  }

  get size(): number { return this.en.size + this.zh.size; }
  get hasChinese(): boolean { return this.zh.size > 0; }
}
