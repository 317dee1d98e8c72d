/**
 * Chinese text normalisation: numbers, dates, times, percentages, money, units and phone numbers
 * written with digits become Chinese characters, read the way a Mandarin speaker would.
 */

const DIGIT = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const SMALL_UNITS = ['', '十', '百', '千'];
const BIG_UNITS = ['', '万', '亿', '兆'];

function group4(n: string): string {
  // n: up to 4 digits, no leading-zero trimming (zeros inside are read as one 零).
  let out = '';
  let zero = false;
  const len = n.length;
  for (let i = 0; i < len; i++) {
    const d = Number(n[i]);
    const unit = SMALL_UNITS[len - 1 - i]!;
    if (d === 0) { zero = out.length > 0; continue; }
    if (zero) { out += '零'; zero = false; }
    out += DIGIT[d]! + unit;
  }
  return out;
}

/**
 * Chinese cardinal number; a leading 一十 is shortened to 十 (12 → 十二).
 *
 * @example zhCardinal('2021') // '二千零二十一'
 */
export function zhCardinal(s: string): string {
  let t = s.replace(/^0+(?=\d)/, '');
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1);
  if (!/^\d+$/.test(t)) return s;
  if (t.length > 16) return zhDigits(t);
  if (t === '0') return '零';
  const groups: string[] = [];
  for (let e = t.length; e > 0; e -= 4) groups.unshift(t.slice(Math.max(0, e - 4), e));
  let out = '';
  let pendingZero = false;
  groups.forEach((g, i) => {
    const unit = BIG_UNITS[groups.length - 1 - i]!;
    const v = Number(g);
    if (v === 0) { pendingZero = out.length > 0; return; }
    if (out && (pendingZero || g.length === 4 && g[0] === '0')) out += '零';
    pendingZero = false;
    out += group4(String(v).length < g.length && i > 0 ? g : String(v)) + unit;
  });
  if (out.startsWith('一十')) out = out.slice(1);
  return (neg ? '负' : '') + out;
}

/** Digit by digit; `phone` reads 1 as 幺 (yao1) as in phone numbers. @example zhDigits('110', true) // '幺幺零' */
export function zhDigits(s: string, phone = false): string {
  return [...s].filter((c) => /\d/.test(c)).map((c) => (phone && c === '1' ? '幺' : DIGIT[Number(c)]!)).join('');
}

/** Decimal: '3.14' → '三点一四'. */
export function zhDecimal(s: string): string {
  const [a, b] = s.replace(/,/g, '').split('.');
  const neg = a!.startsWith('-');
  const whole = zhCardinal(neg ? a!.slice(1) : a!);
  return (neg ? '负' : '') + whole + (b ? '点' + zhDigits(b) : '');
}

const MEASURE_WORDS = '个本只位次件张条天年岁块元人名辆台把种份双对层间家杯瓶碗首部节届周座支枚棵头匹门颗篇场';
const UNITS_ZH: [string, string][] = [
  ['km/h', '公里每小时'], ['km', '公里'], ['cm', '厘米'], ['mm', '毫米'], ['kg', '公斤'], ['mg', '毫克'], ['ml', '毫升'],
  ['°C', '摄氏度'], ['℃', '摄氏度'], ['°F', '华氏度'], ['°', '度'], ['m²', '平方米'], ['GB', '吉字节'], ['MB', '兆字节'], ['m', '米'], ['g', '克'], ['L', '升'],
];

/**
 * Normalises Chinese text: digits → characters.
 *
 * @example normalizeChinese('2021年3月5日，增长3.5%，第1名')
 * // '二零二一年三月五日，增长百分之三点五，第一名'
 */
export function normalizeChinese(text: string): string {
  let t = text.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/．/g, '.').replace(/％/g, '%').replace(/：/g, (c) => c);
  // Phone-like: 11-digit mobiles, area-code numbers, long digit strings → digit by digit (1 = 幺).
  t = t.replace(/\+?\d{2,4}-\d{7,8}|\b1\d{10}\b|\d{7,}(?![.\d])/g, (m) => zhDigits(m, true));
  // Dates: years digit by digit, months and days as numbers.
  t = t.replace(/(\d{2,4})年/g, (_m, y: string) => zhDigits(y) + '年');
  t = t.replace(/(\d{1,2})月/g, (_m, mo: string) => zhCardinal(mo) + '月');
  t = t.replace(/(\d{1,2})([日号])/g, (_m, d: string, u: string) => zhCardinal(d) + u);
  t = t.replace(/(\d{4})-(\d{1,2})-(\d{1,2})/g, (_m, y: string, mo: string, d: string) => `${zhDigits(y)}年${zhCardinal(mo)}月${zhCardinal(d)}日`);
  // Times.
  t = t.replace(/(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?/g, (m, h: string, mi: string, s: string | undefined) => {
    if (+h > 24 || +mi > 59) return m;
    let out = zhCardinal(h) + '点' + (+mi === 0 ? '整' : (mi[0] === '0' ? '零' : '') + zhCardinal(mi) + '分');
    if (s && +s > 0) out = out.replace(/整$/, '') + zhCardinal(s) + '秒';
    return out;
  });
  // Percent, money, ordinals, fractions, ranges, units.
  t = t.replace(/(-?\d[\d,]*(?:\.\d+)?)%/g, (_m, n: string) => (n.startsWith('-') ? '负' : '') + '百分之' + zhDecimal(n.replace(/^-/, '')));
  t = t.replace(/[¥￥](\d[\d,]*(?:\.\d+)?)/g, (_m, n: string) => zhDecimal(n) + '元');
  t = t.replace(/\$(\d[\d,]*(?:\.\d+)?)/g, (_m, n: string) => zhDecimal(n) + '美元');
  t = t.replace(/€(\d[\d,]*(?:\.\d+)?)/g, (_m, n: string) => zhDecimal(n) + '欧元');
  t = t.replace(/第(\d+)/g, (_m, n: string) => '第' + zhCardinal(n));
  t = t.replace(/(\d+)\/(\d+)/g, (_m, a: string, b: string) => zhCardinal(b) + '分之' + zhCardinal(a));
  t = t.replace(/(\d+(?:\.\d+)?)[-~～](\d+(?:\.\d+)?)/g, (_m, a: string, b: string) => `${zhDecimal(a)}到${zhDecimal(b)}`);
  for (const [u, zh] of UNITS_ZH) {
    t = t.replace(new RegExp(`(-?\\d+(?:\\.\\d+)?)\\s?${u.replace(/[/.]/g, '\\$&')}(?![A-Za-z])`, 'g'), (_m, n: string) => zhDecimal(n) + zh);
  }
  // 2 before a measure word is 两 (两个, 两本).
  t = t.replace(new RegExp(`(^|[^\\d.])2(?=[${MEASURE_WORDS}])`, 'g'), '$1两');
  t = t.replace(/(^|[^\d])-(?=\d)/g, '$1负');
  t = t.replace(/\d[\d,]*\.\d+|\d+/g, (m) => (m.includes('.') ? zhDecimal(m) : zhCardinal(m.replace(/,/g, ''))));
  t = t.replace(/[+＋]/g, '加').replace(/[=＝]/g, '等于').replace(/%/g, '百分号');
  return t;
}
