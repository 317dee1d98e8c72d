/**
 * English text normalisation: written form → spoken words, punctuation kept.
 *
 * Conventions follow ../shared/corpus/textnorm.py (what the teacher voice was fed), extended with
 * dates, units, URLs, e-mail, phone numbers, Roman numerals and context-dependent abbreviations.
 * Letters to be spelled ("FBI") come out as single letters prefixed by LETTER_MARK, so the G2P can
 * say the letter name (EY1 for A) instead of the article (AH0).
 */
import { cardinal, decimal, digits, fraction, numberInText, ordinal, pluralNumberWords, toOrdinalWords, year } from './numbers-en.js';

/** Prefix of a letter to be spelled (a private-use character; never in user text after cleanup). */
export const LETTER_MARK = '\uE000';

/** Options of normalizeEnglish. */
export interface NormalizeEnOptions {
  /** True when the G2P has a pronunciation for the word (CMUdict or user lexicon); acronyms it knows are not spelled. */
  isKnownWord?: (word: string) => boolean;
  /** Words the user lexicon defines: never spelled, never expanded. */
  isLexiconWord?: (word: string) => boolean;
}

/** Spells a string as letter names ("FBI" → marked F B I); digits become digit words. */
export function spell(s: string): string {
  const out: string[] = [];
  for (const c of s) {
    if (/[A-Za-z]/.test(c)) out.push(LETTER_MARK + c.toUpperCase());
    else if (/[0-9]/.test(c)) out.push(digits(c, 'zero'));
  }
  return out.join(' ');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_ABBR: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};
/** Month name or abbreviation (with optional dot) → 1-12. */
function monthNumber(s: string): number | undefined {
  const k = s.replace(/\.$/, '').toLowerCase();
  const full = MONTHS.findIndex((m) => m.toLowerCase() === k);
  if (full >= 0) return full + 1;
  return MONTH_ABBR[k];
}
const MONTH_RE = '(January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.?|Feb\\.?|Mar\\.|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?)';

function dateWords(y: number | undefined, m: number, d: number, dayFirst = false): string {
  const month = MONTHS[m - 1]!;
  const core = dayFirst ? `the ${ordinal(d)} of ${month}` : `${month} ${ordinal(d)}`;
  return y === undefined ? core : `${core}${dayFirst ? '' : ','} ${year(y)}`;
}
const validDate = (m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= 31;

// ---- abbreviations ------------------------------------------------------------------------------

/** Titles before a name (dot optional for the common British spellings). */
const TITLES: [RegExp, string][] = [
  [/\bMrs\.?(?=\s)/g, 'Missus'], [/\bMr\.?(?=\s)/g, 'Mister'], [/\bMs\.?(?=\s)/g, 'Miz'], [/\bProf\.(?=\s)/g, 'Professor'],
  [/\bRev\.(?=\s)/g, 'Reverend'], [/\bGen\.(?=\s)/g, 'General'], [/\bCapt\.(?=\s)/g, 'Captain'], [/\bLt\.(?=\s)/g, 'Lieutenant'],
  [/\bCol\.(?=\s)/g, 'Colonel'], [/\bSgt\.(?=\s)/g, 'Sergeant'], [/\bGov\.(?=\s)/g, 'Governor'], [/\bSen\.(?=\s)/g, 'Senator'],
  [/\bRep\.(?=\s)/g, 'Representative'], [/\bHon\.(?=\s)/g, 'Honorable'], [/\bPres\.(?=\s)/g, 'President'], [/\bAdm\.(?=\s)/g, 'Admiral'],
  [/\bMaj\.(?=\s)/g, 'Major'], [/\bCmdr\.(?=\s)/g, 'Commander'], [/\bSupt\.(?=\s)/g, 'Superintendent'], [/\bFr\.(?=\s+[A-Z])/g, 'Father'],
  [/\bMt\.(?=\s)/g, 'Mount'], [/\bJr\./g, 'Junior'], [/\bSr\./g, 'Senior'],
];
/** Other abbreviations (context-free). */
const ABBREVIATIONS: [RegExp, string][] = [
  [/\betc\./g, 'et cetera'], [/\be\.g\./gi, 'for example'], [/\bi\.e\./gi, 'that is'], [/\bvs\.?(?=\s)/g, 'versus'],
  [/\bapprox\./g, 'approximately'], [/\bInc\./g, 'Incorporated'], [/\bLtd\./g, 'Limited'], [/\bCo\.(?=\s)/g, 'Company'],
  [/\bCorp\./g, 'Corporation'], [/\bDept\./g, 'Department'], [/\bUniv\./g, 'University'], [/\bBros\./g, 'Brothers'],
  [/\bAve\./g, 'Avenue'], [/\bBlvd\./g, 'Boulevard'], [/\bRd\./g, 'Road'], [/\bLn\./g, 'Lane'], [/\bHwy\./g, 'Highway'],
  [/\bSq\./g, 'Square'], [/\bApt\./g, 'Apartment'], [/\best\.(?=\s*\d)/g, 'established'],
  [/\b[Nn]o\.\s*(?=\d)/g, 'number '], [/\b[Vv]ol\.\s*(?=\d)/g, 'volume '], [/\b[Ff]ig\.\s*(?=\d)/g, 'figure '],
  [/\bpp\.\s*(?=\d)/g, 'pages '], [/\bp\.\s*(?=\d)/g, 'page '], [/\bmin\.(?=\s)/g, 'minutes'], [/\bhrs\.(?=\s)/g, 'hours'],
];

const isCapitalisedWord = (w: string | undefined): boolean => !!w && /^[A-Z][a-z]/.test(w);

/** "Dr." is Doctor before a name, Drive after a street name; "St." is Saint before a name, else Street. */
function contextAbbreviations(t: string): string {
  return t.replace(/\b(Dr|St)\.(?=(\s+)([A-Za-z]+)?|$)/g, (m, abbr: string, _sp, nextWord: string | undefined, offset: number) => {
    const before = t.slice(0, offset);
    const prevMatch = /([A-Za-z0-9]+)[\s]*$/.exec(before);
    const prev = prevMatch?.[1];
    // A capitalised word right before is a street name unless it starts the sentence.
    const prevIsName = !!prev && (isCapitalisedWord(prev) || /\d/.test(prev)) && /\S\s+\S+\s*$/.test(before);
    const nextIsName = isCapitalisedWord(nextWord);
    if (abbr === 'Dr') return nextIsName && !(prevIsName && !/^[A-Z]/.test(nextWord ?? '')) ? 'Doctor' : prevIsName ? 'Drive' : 'Doctor';
    return nextIsName && !prevIsName ? 'Saint' : 'Street';
  });
}

// ---- Roman numerals ---------------------------------------------------------------------------

/** Value of a canonical Roman numeral, or undefined. */
export function romanToNumber(s: string): number | undefined {
  if (!s || !/^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/.test(s)) return undefined;
  const v: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const a = v[s[i]!]!, b = v[s[i + 1] ?? ''] ?? 0;
    n += a < b ? -a : a;
  }
  return n;
}

const REGNAL_NAMES = new Set(['Henry', 'Elizabeth', 'George', 'Louis', 'Charles', 'Edward', 'William', 'James', 'Richard', 'John', 'Pius', 'Benedict',
  'Peter', 'Catherine', 'Napoleon', 'Philip', 'Frederick', 'Alexander', 'Nicholas', 'Ivan', 'Mary', 'Victor', 'Leo', 'Gregory', 'Innocent',
  'Clement', 'Paul', 'Alfonso', 'Ferdinand', 'Ramesses', 'Constantine', 'Otto', 'Henri', 'Francis', 'Urban', 'Boniface', 'Gustav', 'Wilhelm',
  'Friedrich', 'Carl', 'Karl', 'Juan', 'Felipe', 'Pedro', 'Rudolf', 'Sixtus', 'Stephen', 'David', 'Robert', 'Harald', 'Olaf', 'Haakon', 'Christian',
  'Malcolm', 'Alfred', 'Edmund', 'Anne', 'Victoria', 'Elagabalus', 'Darius', 'Cyrus', 'Ptolemy', 'Antiochus', 'Amenhotep', 'Thutmose', 'Rameses']);
const CHAPTER_WORDS = '(Chapter|Book|Part|Volume|Vol\\.|Act|Scene|Section|Article|Appendix|Phase|Level|Title|Class|Type|Stage|Round|Episode|Psalm|Canto|Grade|Unit|Lesson|Figure|Table|Schedule|Amendment|Super Bowl|Apollo|Gemini|Vatican|Rocky|Star Wars Episode)';

function romanNumerals(t: string): string {
  t = t.replace(/\bWWII\b/g, 'World War Two').replace(/\bWWI\b/g, 'World War One');
  t = t.replace(/\bWorld War (I{1,3})\b/g, (_m, r: string) => `World War ${cardinal(r.length)}`);
  t = t.replace(new RegExp(`\\b${CHAPTER_WORDS}\\s+([IVXLCDM]+)\\b`, 'gi'), (m, word: string, r: string) => {
    const n = romanToNumber(r);
    return n === undefined ? m : `${word.replace(/\.$/, '')} ${cardinal(n)}`;
  });
  // Regnal numbers: "Henry VIII" → Henry the eighth. Single I/V/X only after a known regnal name.
  t = t.replace(/\b([A-Z][a-z]+)\s+([IVXLC]+)\b(?!\.\w)/g, (m, name: string, r: string) => {
    const n = romanToNumber(r);
    if (n === undefined) return m;
    if (r.length === 1 && !REGNAL_NAMES.has(name)) return m;
    if (!REGNAL_NAMES.has(name) && n > 40) return m;
    return `${name} the ${ordinal(n)}`;
  });
  return t;
}

// ---- money, units, times ----------------------------------------------------------------------

const CURRENCY: Record<string, [string, string, string, string]> = {
  // symbol: singular, plural, minor singular, minor plural
  $: ['dollar', 'dollars', 'cent', 'cents'], '£': ['pound', 'pounds', 'penny', 'pence'], '€': ['euro', 'euros', 'cent', 'cents'],
  '¥': ['yen', 'yen', '', ''], '₹': ['rupee', 'rupees', 'paisa', 'paise'],
};
const SCALE_WORDS: Record<string, string> = { k: 'thousand', K: 'thousand', m: 'million', M: 'million', mn: 'million', b: 'billion', B: 'billion', bn: 'billion', tn: 'trillion', T: 'trillion' };

function money(sym: string, num: string, scale: string | undefined): string {
  const [one, many, minorOne, minorMany] = CURRENCY[sym]!;
  const n = num.replace(/,/g, '');
  if (scale) {
    const sw = SCALE_WORDS[scale] ?? scale.toLowerCase();
    return `${decimal(n)} ${sw} ${many}`;
  }
  const [whole, frac] = n.split('.');
  const a = BigInt(whole || '0');
  const unit = `${cardinal(a)} ${a === 1n ? one : many}`;
  if (frac === undefined || !minorOne) return frac === undefined ? unit : `${decimal(n)} ${many}`;
  const b = Number((frac + '0').slice(0, 2));
  if (b === 0) return unit;
  const minor = `${cardinal(b)} ${b === 1 ? minorOne : minorMany}`;
  return a === 0n ? minor : `${unit} and ${minor}`;
}

/** Unit abbreviations after a number: [singular, plural]. */
const UNITS: Record<string, [string, string]> = {
  km: ['kilometer', 'kilometers'], m: ['meter', 'meters'], cm: ['centimeter', 'centimeters'], mm: ['millimeter', 'millimeters'],
  mi: ['mile', 'miles'], ft: ['foot', 'feet'], yd: ['yard', 'yards'], yds: ['yard', 'yards'],
  kg: ['kilogram', 'kilograms'], g: ['gram', 'grams'], mg: ['milligram', 'milligrams'], lb: ['pound', 'pounds'], lbs: ['pound', 'pounds'],
  oz: ['ounce', 'ounces'], t: ['ton', 'tons'],
  mph: ['mile per hour', 'miles per hour'], kph: ['kilometer per hour', 'kilometers per hour'], 'km/h': ['kilometer per hour', 'kilometers per hour'],
  'm/s': ['meter per second', 'meters per second'],
  ml: ['milliliter', 'milliliters'], mL: ['milliliter', 'milliliters'], L: ['liter', 'liters'],
  '°C': ['degree Celsius', 'degrees Celsius'], '°F': ['degree Fahrenheit', 'degrees Fahrenheit'], '°': ['degree', 'degrees'],
  KB: ['kilobyte', 'kilobytes'], kB: ['kilobyte', 'kilobytes'], MB: ['megabyte', 'megabytes'], GB: ['gigabyte', 'gigabytes'], TB: ['terabyte', 'terabytes'],
  Hz: ['hertz', 'hertz'], kHz: ['kilohertz', 'kilohertz'], MHz: ['megahertz', 'megahertz'], GHz: ['gigahertz', 'gigahertz'],
  W: ['watt', 'watts'], kW: ['kilowatt', 'kilowatts'], kWh: ['kilowatt hour', 'kilowatt hours'], V: ['volt', 'volts'],
  ms: ['millisecond', 'milliseconds'], sec: ['second', 'seconds'], secs: ['second', 'seconds'], min: ['minute', 'minutes'], mins: ['minute', 'minutes'],
  hr: ['hour', 'hours'], hrs: ['hour', 'hours'], ha: ['hectare', 'hectares'], dB: ['decibel', 'decibels'],
};
const UNIT_RE = new RegExp(
  `(^|[^\\w.])(-?\\d[\\d,]*(?:\\.\\d+)?)\\s?(${Object.keys(UNITS).sort((a, b) => b.length - a.length).map((u) => u.replace(/[/.]/g, '\\$&')).join('|')})(?![\\w°])\\.?`, 'g');

function units(t: string): string {
  return t.replace(UNIT_RE, (m, pre: string, num: string, unit: string) => {
    // "5 m" alone is ambiguous with "$5m" (handled earlier); "t" only with a space-free number ("3t").
    const [one, many] = UNITS[unit]!;
    const n = num.replace(/,/g, '');
    const words = n.includes('.') ? decimal(n) : cardinal(n);
    const keepDot = m.endsWith('.') && !/^(ft|oz|lb|lbs|min|mins|sec|secs|hr|hrs|yd|yds)$/.test(unit) ? '.' : '';
    return `${pre}${words} ${n === '1' || n === '-1' ? one : many}${keepDot}`;
  });
}

function timeWords(h: number, mi: number, ampm: string | undefined): string {
  let out: string;
  if (mi === 0) out = cardinal(h) + (ampm ? '' : " o'clock");
  else if (mi < 10) out = `${cardinal(h)} oh ${cardinal(mi)}`;
  else out = `${cardinal(h)} ${cardinal(mi)}`;
  if (ampm) out += ' ' + spell(/^[Aa]/.test(ampm) ? 'AM' : 'PM');
  return out;
}

// ---- URLs, e-mail -----------------------------------------------------------------------------

const TLD_SPELLED = new Set(['uk', 'us', 'de', 'fr', 'cn', 'jp', 'io', 'ai', 'tv', 'eu', 'ca', 'au', 'nl', 'ru', 'in', 'es', 'it', 'ch', 'se', 'no', 'dk', 'fi', 'pl', 'br', 'gg', 'ly', 'md']);

/** One URL/e-mail part: a word if it looks pronounceable, otherwise spelled. */
function urlPart(part: string, known: (w: string) => boolean): string {
  if (!part) return '';
  if (/^\d+$/.test(part)) return digits(part, 'zero');
  const low = part.toLowerCase();
  if (TLD_SPELLED.has(low) || low === 'www') return spell(part);
  if (known(low) || (part.length >= 3 && isPronounceable(low))) return low.replace(/\d+/g, (d) => ` ${digits(d, 'zero')} `);
  return spell(part);
}

function speakAddress(s: string, known: (w: string) => boolean): string {
  const out: string[] = [];
  const re = /([A-Za-z0-9]+)|([./:@_\-~?=&#+%])/g;
  let m: RegExpExecArray | null;
  const names: Record<string, string> = { '.': 'dot', '/': 'slash', ':': 'colon', '@': 'at', _: 'underscore', '-': 'dash', '~': 'tilde', '?': 'question mark', '=': 'equals', '&': 'and', '#': 'hash', '+': 'plus', '%': 'percent' };
  while ((m = re.exec(s))) out.push(m[1] ? urlPart(m[1], known) : names[m[2]!]!);
  return out.join(' ');
}

// ---- acronyms ---------------------------------------------------------------------------------

const ONSETS = new Set(['', 'b', 'bl', 'br', 'c', 'ch', 'cl', 'cr', 'd', 'dr', 'dw', 'f', 'fl', 'fr', 'g', 'gl', 'gr', 'gw', 'h', 'j', 'k', 'kl', 'kn', 'kr', 'l', 'm', 'n',
  'p', 'ph', 'pl', 'pr', 'qu', 'r', 's', 'sc', 'sch', 'scr', 'sh', 'sk', 'sl', 'sm', 'sn', 'sp', 'spl', 'spr', 'squ', 'st', 'str', 'sw', 't', 'th', 'thr',
  'tr', 'tw', 'v', 'w', 'wh', 'wr', 'y', 'z']);

/**
 * Heuristic: can the letters be read as a word? Needs a vowel, a valid English onset and no run of
 * four consonants. "NASA", "NATO" yes; "FBI" (no), "HTML" (no).
 */
export function isPronounceable(word: string): boolean {
  const w = word.toLowerCase();
  if (!/^[a-z]+$/.test(w) || !/[aeiouy]/.test(w)) return false;
  // Like the corpus normaliser: a vowel letter after the first letter is required (NYPD, CPR: spelled).
  if (!/[aeiou]/.test(w.slice(1))) return false;
  const onset = /^[^aeiouy]*/.exec(w)![0];
  if (!ONSETS.has(onset)) return false;
  if (/[^aeiouy]{4,}/.test(w)) return false;
  if (/[^aeiouy]{3}$/.test(w) && !/(nds|nts|rst|rld|rth|nch|tch|rch|ngs|sts|mps|lds|rds|rts|nks|ght)$/.test(w)) return false;
  return w.length >= 3;
}

function acronyms(t: string, known: (w: string) => boolean, lexicon: (w: string) => boolean): string {
  // Dotted abbreviations: U.S. / U.S.A. / A.M. → letters.
  t = t.replace(/\b((?:[A-Za-z]\.){2,})/g, (m) => spell(m.replace(/\./g, '')) + ' ');
  const words = t.match(/\b[A-Za-z]{2,}\b/g) ?? [];
  const capsWords = words.filter((w) => /^[A-Z]+$/.test(w));
  // Shouting ("THIS IS GREAT NEWS"): caps words the dictionary knows are ordinary words.
  const shouting = capsWords.length >= 3 && capsWords.length >= 0.6 * words.length;
  return t.replace(/\b([A-Z][A-Z]+)(s?)\b/g, (m, caps: string, plural: string) => {
    if (lexicon(m) || lexicon(caps)) return m;
    if (caps === 'OK') return 'okay' + plural;
    if (shouting && known(caps)) return m;
    const spelled = plural ? spell(caps) + 'Z'.replace('Z', "'s") : spell(caps);
    if (caps.length <= 3) return spelled;
    if (known(caps) || isPronounceable(caps)) return m;
    return spelled;
  }).replace(new RegExp(`${LETTER_MARK}([A-Z]) 's\\b`, 'g'), `${LETTER_MARK}$1's`);
}

// ---- main -------------------------------------------------------------------------------------

const defaultKnown = (): boolean => false;

/**
 * Normalises one English sentence (or paragraph) to spoken words; punctuation `, . ? !` is kept.
 *
 * @example normalizeEnglish('Dr. Smith paid $3.50 on Jan. 5, 2021.')
 * // 'Doctor Smith paid three dollars and fifty cents on January fifth, twenty twenty-one.'
 */
export function normalizeEnglish(text: string, options: NormalizeEnOptions = {}): string {
  const known = options.isKnownWord ?? defaultKnown;
  const lexicon = options.isLexiconWord ?? defaultKnown;
  let t = text.normalize('NFC').replace(/\uE000/g, '');
  t = t.replace(/[\u2018\u2019\u02BC]/g, "'").replace(/[\u201C\u201D\u00AB\u00BB]/g, '"')
    .replace(/\u2014/g, ', ').replace(/\u2013/g, '-').replace(/\u2212/g, '-').replace(/\u2026/g, '...').replace(/[\u00A0\u2009\u202F]/g, ' ')
    .replace(/½/g, ' 1/2').replace(/¼/g, ' 1/4').replace(/¾/g, ' 3/4').replace(/(\d) (1\/2|1\/4|3\/4)/g, '$1 and $2');
  const endPunct = /[.!?]["')\]]*\s*$/.exec(t)?.[0].trim()[0];

  // URLs and e-mail first: their dots and slashes must not reach the number rules.
  t = t.replace(/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, (m) => ` ${speakAddress(m, known)} `);
  t = t.replace(/\b(?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?)\]]/gi, (m) => ` ${speakAddress(m.replace(/^https?:\/\//i, ''), known)} `);
  t = t.replace(/\b[a-z][\w-]*(?:\.[a-z][\w-]*)*\.(?:com|org|net|edu|gov|io|ai|dev|app|co\.uk|info)\b(?:\/[^\s<>"]*[^\s<>".,;:!?)\]])?/gi, (m) => ` ${speakAddress(m, known)} `);

  // Phone numbers: digit by digit in groups.
  t = t.replace(/(?:\+1[\s.-]?)?\(?\b(\d{3})\)?[\s.-](\d{3})[.-](\d{4})\b/g, (_m, a: string, b: string, c: string) => `${digits(a)}, ${digits(b)}, ${digits(c)}`);

  // Dates.
  t = t.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (m, y: string, mo: string, d: string) => (validDate(+mo, +d) ? dateWords(+y, +mo, +d) : m));
  t = t.replace(/\b(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})\b/g, (m, mo: string, d: string, y: string) => {
    if (!validDate(+mo, +d)) return m;
    const yy = y.length === 2 ? (+y < 50 ? 2000 + +y : 1900 + +y) : +y;
    return dateWords(yy, +mo, +d);
  });
  t = t.replace(new RegExp(`\\b${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`, 'g'), (m, mo: string, d: string, y: string | undefined) => {
    const mn = monthNumber(mo);
    return mn && validDate(mn, +d) ? dateWords(y ? +y : undefined, mn, +d) : m;
  });
  t = t.replace(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}(?:,?\\s+(\\d{4})\\b)?`, 'g'), (m, d: string, mo: string, y: string | undefined, offset: number, all: string) => {
    const mn = monthNumber(mo);
    if (!mn || !validDate(mn, +d)) return m;
    const words = dateWords(y ? +y : undefined, mn, +d, true);
    // "the 4th of July" already has its article.
    return /\bthe\s+$/i.test(all.slice(Math.max(0, offset - 5), offset)) ? words.replace(/^the /, '') : words;
  });
  t = t.replace(new RegExp(`\\b${MONTH_RE}\\s+(\\d{4})\\b`, 'g'), (m, mo: string, y: string) => {
    const mn = monthNumber(mo);
    return mn ? `${MONTHS[mn - 1]} ${year(+y)}` : m;
  });
  t = t.replace(/\b(Jan|Feb|Apr|Aug|Sept?|Oct|Nov|Dec)\.(?=\s)/g, (_m, mo: string) => MONTHS[monthNumber(mo)! - 1]!);

  // Abbreviations.
  t = contextAbbreviations(t);
  for (const [re, rep] of TITLES) t = t.replace(re, rep);
  for (const [re, rep] of ABBREVIATIONS) t = t.replace(re, rep);


  // Money.
  t = t.replace(/(-)?([$£€¥₹])\s?(\d[\d,]*(?:\.\d+)?)(?:\s?(thousand|million|billion|trillion|bn|mn|tn|[kKmMbBT])\b)?/g,
    (_m, neg: string | undefined, sym: string, num: string, scale: string | undefined) => (neg ? 'minus ' : '') + money(sym, num, scale));
  t = t.replace(/\b(\d+)\s?¢/g, (_m, n: string) => `${cardinal(n)} ${n === '1' ? 'cent' : 'cents'}`);

  // Percentages.
  t = t.replace(/(^|[^\w-])(-?)(\d[\d,]*(?:\.\d+)?|\.\d+)\s?%/g, (_m, pre: string, neg: string, n: string) => `${pre}${neg ? 'minus ' : ''}${decimal(n)} percent`);

  // Times.
  t = t.replace(/\b(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s?[Mm]\b\.?)?/g, (m, h: string, mi: string, s: string | undefined, ap: string | undefined) => {
    if (+h > 24 || +mi > 59) return m;
    const base = timeWords(+h, +mi, ap);
    return s && +s > 0 ? `${base} and ${cardinal(s)} ${+s === 1 ? 'second' : 'seconds'}` : base;
  });
  t = t.replace(/\b(\d{1,2})\s*([AaPp])\.?\s?[Mm]\b\.?/g, (_m, h: string, ap: string) => `${cardinal(h)} ${spell(/[Aa]/.test(ap) ? 'AM' : 'PM')}`);

  t = units(t);
  t = romanNumerals(t);
  t = acronyms(t, known, lexicon);

  // Ranges and scores: 1990-1995 → 1990 to 1995.
  t = t.replace(/(\d)\s?[-–]\s?(?=\d)/g, '$1 to ');
  // Ordinals, decades.
  t = t.replace(/\b(\d[\d,]*)(st|nd|rd|th)\b/g, (_m, n: string) => ordinal(n));
  t = t.replace(/\b(\d{4})'?s\b/g, (_m, y: string) => pluralNumberWords(year(+y)));
  t = t.replace(/(^|\s)'?(\d0)'?s\b/g, (_m, pre: string, d: string) => pre + pluralNumberWords(cardinal(d)));
  // Fractions (after dates, so 1/5/2021 never gets here).
  t = t.replace(/\b(\d{1,3})\/(\d{1,2})\b/g, (m, a: string, b: string) => (+b >= 2 && +b <= 32 && +a > 0 ? fraction(+a, +b) : m));
  // Negative numbers.
  t = t.replace(/(^|[\s(=:])-(?=\.?\d)/g, '$1minus ');
  t = t.replace(/#\s?(?=\d)/g, 'number ');
  t = t.replace(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+/g, (m) => ` ${numberInText(m)} `);
  t = t.replace(/\bx\b/g, ' times ');

  // Symbols.
  t = t.replace(/\b([CF])#(?!\w)/g, '$1 sharp').replace(/\bC\+\+/g, 'C plus plus');
  t = t.replace(/&/g, ' and ').replace(/\+/g, ' plus ').replace(/@/g, ' at ').replace(/#(\w)/g, 'hashtag $1').replace(/#/g, ' number ')
    .replace(/=/g, ' equals ').replace(/×/g, ' times ').replace(/°/g, ' degrees ').replace(/%/g, ' percent ').replace(/\//g, ' slash ')
    .replace(/~/g, ' about ');

  // Punctuation: ; : → comma; ellipsis inside a sentence → comma; drop brackets and quotes.
  t = t.replace(/\.{2,}(?=\s*\S)/g, ',').replace(/\.{2,}/g, '.').replace(/[;:]/g, ',');
  t = t.replace(/[\[\]{}()<>*_^|\\"]/g, ' ');
  t = t.replace(/\s+([,.!?])/g, '$1').replace(/([,.!?])(?=[^\s,.!?])/g, '$1 ').replace(/,+/g, ',');
  t = t.replace(/\s+/g, ' ').trim().replace(/^,\s*/, '');
  if (endPunct && t && !/[.!?]$/.test(t)) t = t.replace(/,$/, '') + endPunct;
  return t;
}

/** Re-exported for the SSML say-as handler. */
export { cardinal, ordinal, digits, year, toOrdinalWords };
