/**
 * The phoneme inventory and the `SymbolTable` that maps symbols to model input ids.
 *
 * Namespaces (one table, no collisions):
 * - specials in angle brackets: `<pad>` `<unk>` `<bos>` `<eos>` `<sil>` `<wb>` `<sp1>`..`<sp4>`
 * - punctuation as itself: `,` `.` `?` `!`
 * - English ARPAbet in upper case, vowels with stress digit: `AA1`, `HH`
 * - Mandarin with a `zh:` prefix (Baker style): initials `zh:sh`, tonal finals `zh:ang3`, erhua `zh:rr`
 */

/** ARPAbet vowels (take a stress digit 0, 1 or 2). */
export const ARPABET_VOWELS = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW',
] as const;
/** ARPAbet consonants (no stress). */
export const ARPABET_CONSONANTS = [
  'B', 'CH', 'D', 'DH', 'F', 'G', 'HH', 'JH', 'K', 'L', 'M', 'N', 'NG', 'P', 'R', 'S', 'SH',
  'T', 'TH', 'V', 'W', 'Y', 'Z', 'ZH',
] as const;

const VOWEL_SET = new Set<string>(ARPABET_VOWELS);
const CONSONANT_SET = new Set<string>(ARPABET_CONSONANTS);

/** True for an ARPAbet phoneme as the model uses it: consonant, or vowel with stress digit. */
export function isArpabet(symbol: string): boolean {
  if (CONSONANT_SET.has(symbol)) return true;
  return symbol.length >= 3 && VOWEL_SET.has(symbol.slice(0, -1)) && /[012]$/.test(symbol);
}

/** True for an ARPAbet vowel (with or without stress digit). */
export function isArpabetVowel(symbol: string): boolean {
  return VOWEL_SET.has(symbol.replace(/[012]$/, ''));
}

/** Special tokens. `<sp1>`..`<sp4>` are pauses of increasing strength (Baker #1..#4, SSML break strengths). */
export const SPECIAL_SYMBOLS = ['<pad>', '<unk>', '<bos>', '<eos>', '<sil>', '<wb>', '<sp1>', '<sp2>', '<sp3>', '<sp4>'] as const;
/** Punctuation kept as pause/intonation tokens. */
export const PUNCTUATION_SYMBOLS = [',', '.', '?', '!'] as const;

/** Mandarin initials (Baker style; zero-initial syllables have none). */
export const ZH_INITIALS = [
  'b', 'p', 'm', 'f', 'd', 't', 'n', 'l', 'g', 'k', 'h', 'j', 'q', 'x', 'zh', 'ch', 'sh', 'r', 'z', 'c', 's',
] as const;
/**
 * Mandarin finals without tone. `ii` is the apical vowel after z/c/s, `iii` after zh/ch/sh/r,
 * `v` is ü; `iou`/`uei`/`uen` are written in full (liu → l iou).
 */
export const ZH_FINALS = [
  'a', 'ai', 'an', 'ang', 'ao', 'e', 'ei', 'en', 'eng', 'er', 'o', 'ong', 'ou',
  'i', 'ia', 'ian', 'iang', 'iao', 'ie', 'in', 'ing', 'iong', 'iou',
  'u', 'ua', 'uai', 'uan', 'uang', 'uei', 'uen', 'ueng', 'uo',
  'v', 'van', 've', 'vn', 'ii', 'iii', 'io',
] as const;
/** Mandarin tones: 1-4 and 5 = neutral. */
export const ZH_TONES = [1, 2, 3, 4, 5] as const;
/** Erhua marker appended after a final (哪儿 → zh:n zh:a3 zh:rr). */
export const ZH_ERHUA = 'zh:rr';

/** Prefix of every Mandarin symbol. */
export const ZH_PREFIX = 'zh:';

/**
 * The global symbol list, version 1. APPEND ONLY: a stored model keeps the ids of the table it was
 * trained with, so existing entries must never move. Add new symbols at the end.
 */
function buildGlobalSymbols(): string[] {
  const out: string[] = [...SPECIAL_SYMBOLS, ...PUNCTUATION_SYMBOLS];
  for (const c of ARPABET_CONSONANTS) out.push(c);
  for (const v of ARPABET_VOWELS) for (const s of [0, 1, 2]) out.push(`${v}${s}`);
  for (const i of ZH_INITIALS) out.push(ZH_PREFIX + i);
  for (const f of ZH_FINALS) for (const t of ZH_TONES) out.push(`${ZH_PREFIX}${f}${t}`);
  out.push(ZH_ERHUA);
  return out;
}

/** Every symbol the front-end can emit, in id order. */
export const GLOBAL_SYMBOLS: readonly string[] = Object.freeze(buildGlobalSymbols());

/** Thrown when a symbol is not in a table (e.g. a model trained before the symbol existed). */
export class UnknownSymbolError extends Error {
  override name = 'UnknownSymbolError';
  constructor(readonly symbol: string) {
    super(`symbol "${symbol}" is not in this symbol table (the model was trained without it); ` +
      `encode with { unknown: 'unk' } to map it to <unk>`);
  }
}

/** JSON form of a symbol table, stored next to each model. */
export interface SymbolTableJSON {
  format: 'clip-tts-symbols';
  version: 1;
  /** Symbols in id order: `symbols[id]`. */
  symbols: string[];
}

/** What `encode` does with a symbol the table lacks. */
export interface EncodeOptions {
  /** 'error' (default) throws UnknownSymbolError; 'unk' maps to the `<unk>` id. */
  unknown?: 'error' | 'unk';
}

/**
 * Symbol ↔ id map. Ids never change once stored; tables only grow by appending.
 *
 * @example
 * const table = SymbolTable.default();
 * const ids = table.encode(['HH', 'AH0', 'L', 'OW1']);
 * const stored = JSON.stringify(table); // keep with the model
 * const again = SymbolTable.fromJSON(JSON.parse(stored));
 */
export class SymbolTable {
  private readonly list: string[];
  private readonly index = new Map<string, number>();

  constructor(symbols: readonly string[]) {
    this.list = [...symbols];
    this.list.forEach((s, i) => {
      if (typeof s !== 'string' || s.length === 0) throw new Error(`symbol table: entry ${i} is not a non-empty string`);
      if (this.index.has(s)) throw new Error(`symbol table: duplicate symbol "${s}" at ids ${this.index.get(s)} and ${i}`);
      this.index.set(s, i);
    });
  }

  /** The current global table (every symbol the front-end emits). */
  static default(): SymbolTable {
    return new SymbolTable(GLOBAL_SYMBOLS);
  }

  /** Loads a stored table; validates its shape. */
  static fromJSON(json: unknown): SymbolTable {
    const j = json as Partial<SymbolTableJSON> | null;
    if (!j || j.format !== 'clip-tts-symbols' || !Array.isArray(j.symbols)) {
      throw new Error('symbol table JSON: expected { format: "clip-tts-symbols", version: 1, symbols: [...] }');
    }
    if (j.version !== 1) throw new Error(`symbol table JSON: unsupported version ${String(j.version)}`);
    return new SymbolTable(j.symbols);
  }

  toJSON(): SymbolTableJSON {
    return { format: 'clip-tts-symbols', version: 1, symbols: [...this.list] };
  }

  get size(): number { return this.list.length; }
  get symbols(): readonly string[] { return this.list; }

  has(symbol: string): boolean { return this.index.has(symbol); }

  /** Id of a symbol; throws UnknownSymbolError (or returns `<unk>`'s id with `{ unknown: 'unk' }`). */
  id(symbol: string, options: EncodeOptions = {}): number {
    const i = this.index.get(symbol);
    if (i !== undefined) return i;
    if (options.unknown === 'unk') {
      const u = this.index.get('<unk>');
      if (u !== undefined) return u;
    }
    throw new UnknownSymbolError(symbol);
  }

  /** Symbol of an id; throws on an id outside the table. */
  symbol(id: number): string {
    const s = this.list[id];
    if (s === undefined) throw new RangeError(`symbol id ${id} is outside the table (size ${this.list.length})`);
    return s;
  }

  encode(symbols: readonly string[], options: EncodeOptions = {}): Int32Array {
    const out = new Int32Array(symbols.length);
    for (let i = 0; i < symbols.length; i++) out[i] = this.id(symbols[i]!, options);
    return out;
  }

  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) out.push(this.symbol(ids[i]!));
    return out;
  }

  /**
   * A new table with `symbols` appended (those already present are skipped). Existing ids are kept,
   * which is what makes an old model keep working when the global table grows.
   */
  extend(symbols: Iterable<string>): SymbolTable {
    const add: string[] = [];
    const seen = new Set(this.list);
    for (const s of symbols) if (!seen.has(s)) { seen.add(s); add.push(s); }
    return new SymbolTable([...this.list, ...add]);
  }

  /** True when `other` starts with every symbol of this table at the same ids. */
  isPrefixOf(other: SymbolTable): boolean {
    if (other.size < this.size) return false;
    return this.list.every((s, i) => other.list[i] === s);
  }
}

// ---- IPA ---------------------------------------------------------------------------------------

const ARPABET_TO_IPA: Record<string, string> = {
  AA: 'ɑ', AE: 'æ', AH: 'ʌ', AO: 'ɔ', AW: 'aʊ', AY: 'aɪ', EH: 'ɛ', ER: 'ɝ', EY: 'eɪ', IH: 'ɪ', IY: 'i',
  OW: 'oʊ', OY: 'ɔɪ', UH: 'ʊ', UW: 'u',
  B: 'b', CH: 'tʃ', D: 'd', DH: 'ð', F: 'f', G: 'ɡ', HH: 'h', JH: 'dʒ', K: 'k', L: 'l', M: 'm', N: 'n',
  NG: 'ŋ', P: 'p', R: 'ɹ', S: 's', SH: 'ʃ', T: 't', TH: 'θ', V: 'v', W: 'w', Y: 'j', Z: 'z', ZH: 'ʒ',
};

/**
 * IPA for one symbol: ARPAbet vowels get ˈ (primary) or ˌ (secondary) before them; unstressed AH is ə
 * and unstressed ER is ɚ. Non-English symbols are returned unchanged.
 *
 * @example arpabetToIpa('AH0') // 'ə'
 */
export function arpabetToIpa(symbol: string): string {
  const m = /^([A-Z]+)([012])?$/.exec(symbol);
  if (!m) return symbol;
  const base = m[1]!, stress = m[2];
  if (stress === '0' && base === 'AH') return 'ə';
  if (stress === '0' && base === 'ER') return 'ɚ';
  const ipa = ARPABET_TO_IPA[base];
  if (ipa === undefined) return symbol;
  return (stress === '1' ? 'ˈ' : stress === '2' ? 'ˌ' : '') + ipa;
}

const IPA_TO_ARPABET: [string, string][] = Object.entries(ARPABET_TO_IPA)
  .map(([a, i]): [string, string] => [i, a])
  .concat([['ə', 'AH'], ['ɚ', 'ER'], ['ɜ', 'ER'], ['ɜː', 'ER'], ['r', 'R'], ['ɹ', 'R'], ['g', 'G'], ['ɐ', 'AH'], ['ɒ', 'AA'],
    ['iː', 'IY'], ['uː', 'UW'], ['ɑː', 'AA'], ['ɔː', 'AO'], ['e', 'EY'], ['o', 'OW'], ['a', 'AA'], ['ʧ', 'CH'], ['ʤ', 'JH'],
    ['ɾ', 'T'], ['ɫ', 'L'], ['ʔ', 'T'], ['ᵻ', 'IH'], ['x', 'HH']])
  .sort((a, b) => b[0].length - a[0].length);

/**
 * Converts an IPA string to ARPAbet with stress (greedy longest match; ˈ/ˌ mark the next vowel).
 * Throws naming the first character it cannot read.
 *
 * @example ipaToArpabet('həˈloʊ') // ['HH', 'AH0', 'L', 'OW1']
 */
export function ipaToArpabet(ipa: string): string[] {
  const out: string[] = [];
  let stress = '0';
  const s = ipa.normalize('NFC').replace(/[./\[\]\s]/g, (c) => (c === ' ' ? ' ' : ''));
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === 'ˈ' || c === "'") { stress = '1'; i++; continue; }
    if (c === 'ˌ') { stress = '2'; i++; continue; }
    if (c === ' ' || c === 'ː' || c === '͡' || c === '̩') { i++; continue; }
    const hit = IPA_TO_ARPABET.find(([k]) => s.startsWith(k, i));
    if (!hit) throw new Error(`IPA: cannot read "${c}" at position ${i} of "${ipa}"`);
    const base = hit[1];
    if (VOWEL_SET.has(base)) { out.push(base + stress); stress = '0'; } else out.push(base);
    i += hit[0].length;
  }
  return out;
}
