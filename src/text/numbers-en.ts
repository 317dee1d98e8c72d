/**
 * English number words. Conventions follow the corpus normaliser (../shared/corpus/textnorm.py) so the
 * acoustic model hears what it was trained on: hyphenated tens ("twenty-one"), no "and" after
 * hundred, "oh" for a zero digit in digit strings, "point" + digit by digit for decimals.
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [bigint, string][] = [
  [10n ** 18n, 'quintillion'], [10n ** 15n, 'quadrillion'], [10n ** 12n, 'trillion'], [10n ** 9n, 'billion'], [10n ** 6n, 'million'], [1000n, 'thousand'],
];
const ORD_IRREGULAR: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

function below1000(n: number): string {
  const words: string[] = [];
  if (n >= 100) { words.push(ONES[Math.floor(n / 100)]!, 'hundred'); n %= 100; }
  if (n >= 20) words.push(TENS[Math.floor(n / 10)]! + (n % 10 ? '-' + ONES[n % 10] : ''));
  else if (n > 0 || words.length === 0) words.push(ONES[n]!);
  return words.join(' ');
}

/**
 * Cardinal number words (any size; negative → "minus ...").
 *
 * @example cardinal(1234) // 'one thousand two hundred thirty-four'
 */
export function cardinal(n: number | bigint | string): string {
  let v = typeof n === 'bigint' ? n : BigInt(typeof n === 'string' ? n.replace(/,/g, '') : Math.trunc(n));
  if (v < 0n) return 'minus ' + cardinal(-v);
  if (v < 1000n) return below1000(Number(v));
  const words: string[] = [];
  for (const [value, name] of SCALES) {
    if (v >= value) { words.push(cardinal(v / value) + ' ' + name); v %= value; }
  }
  if (v > 0n) words.push(below1000(Number(v)));
  return words.join(' ');
}

/** Ordinal words. @example ordinal(22) // 'twenty-second' */
export function ordinal(n: number | bigint | string): string {
  return toOrdinalWords(cardinal(n));
}

/** Turns cardinal words into ordinal words ("twenty-one" → "twenty-first"). */
export function toOrdinalWords(words: string): string {
  const sp = words.lastIndexOf(' ');
  const head = words.slice(0, sp + 1);
  const parts = words.slice(sp + 1).split('-');
  const w = parts[parts.length - 1]!;
  parts[parts.length - 1] = ORD_IRREGULAR[w] ?? (w.endsWith('y') ? w.slice(0, -1) + 'ieth' : w + 'th');
  return head + parts.join('-');
}

/**
 * A year as spoken: 1999 → nineteen ninety-nine, 1900 → nineteen hundred, 2005 → two thousand five,
 * 2021 → twenty twenty-one, 1905 → nineteen oh five.
 */
export function year(n: number): string {
  if (n >= 2000 && n <= 2009) return cardinal(n);
  if (n < 1000 || n > 9999) return cardinal(n);
  if (n % 100 === 0) return cardinal(n / 100) + ' hundred';
  const hi = Math.floor(n / 100), lo = n % 100;
  return cardinal(hi) + ' ' + (lo < 10 ? 'oh ' + ONES[lo] : cardinal(lo));
}

/** Plural of number words: "twenty" → "twenties", "six" → "sixes", "ten" → "tens". */
export function pluralNumberWords(words: string): string {
  if (words.endsWith('y')) return words.slice(0, -1) + 'ies';
  if (/(s|x)$/.test(words)) return words + 'es';
  return words + 's';
}

/** Digit by digit with "oh" for zero (phone numbers, codes). @example digits('405') // 'four oh five' */
export function digits(s: string, zero = 'oh'): string {
  return [...s].filter((c) => c >= '0' && c <= '9').map((c) => (c === '0' ? zero : ONES[Number(c)]!)).join(' ');
}

/** Decimal: "3.14" → "three point one four", ".5" → "zero point five", "1,000" → "one thousand". */
export function decimal(s: string): string {
  const t = s.replace(/,/g, '');
  const neg = t.startsWith('-');
  const u = neg ? t.slice(1) : t;
  const dot = u.indexOf('.');
  const out = dot < 0 ? cardinal(u) : (dot === 0 ? 'zero' : cardinal(u.slice(0, dot))) + ' point ' + digits(u.slice(dot + 1), 'zero');
  return (neg ? 'minus ' : '') + out;
}

/** Fraction: 1/2 → one half, 3/4 → three quarters, 2/3 → two thirds, 5/16 → five sixteenths. */
export function fraction(num: number, den: number): string {
  const n = cardinal(num);
  if (den === 2) return n + (num === 1 ? ' half' : ' halves');
  if (den === 4) return n + (num === 1 ? ' quarter' : ' quarters');
  const d = ordinal(den);
  return n + ' ' + (num === 1 ? d : d + 's');
}

/** Plain number as read in running text: leading zeros digit by digit, 4-digit 1100-2099 as a year. */
export function numberInText(s: string): string {
  if (s.includes(',')) return s.includes('.') ? decimal(s) : cardinal(s);
  if (s.includes('.')) return decimal(s);
  if (s.length > 1 && s.startsWith('0')) return digits(s);
  if (s.length > 21) return digits(s);
  const n = Number(s);
  if (s.length === 4 && n >= 1100 && n <= 2099) return year(n);
  return cardinal(s);
}
