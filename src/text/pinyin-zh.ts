/**
 * Mandarin characters → toned pinyin → Baker-style initials and tonal finals.
 *
 * pinyin-pro picks readings in context (银行 yin2 hang2, 行走 xing2 zou3); on top of that this module
 * applies tone sandhi itself (third tone, 一, 不), turns pinyin-pro's neutral tone 0 into 5, merges
 * erhua (哪儿 → n a3 rr) and honours user lexicon entries (used verbatim, no sandhi).
 */
import { pinyin, segment, OutputFormat } from 'pinyin-pro';
import type { Lexicon } from './lexicon.js';
import { ZH_FINALS, ZH_INITIALS, ZH_PREFIX, ZH_ERHUA } from './symbols.js';

/** One spoken syllable. */
export interface ZhSyllable {
  /** Character(s) written (哪儿 for an erhua syllable). */
  text: string;
  /** Initial ('' for zero-initial syllables like 爱 ai4). */
  initial: string;
  /** Final without tone, Baker style (iou, uei, uen, v, ii, iii ...). */
  final: string;
  /** 1-4, 5 = neutral. */
  tone: number;
  erhua: boolean;
  /** Tone before sandhi (for debugging and tests). */
  citationTone: number;
}

/** A word (a pinyin-pro segment or a lexicon entry) and its syllables. */
export interface ZhWord {
  text: string;
  syllables: ZhSyllable[];
  source: 'pinyin' | 'lexicon' | 'baker';
}

/** Output of the Mandarin path: words, punctuation and prosody pauses in order. */
export type ZhItem =
  | { kind: 'word'; word: ZhWord }
  | { kind: 'punct'; symbol: ',' | '.' | '?' | '!' }
  | { kind: 'pause'; symbol: '<sp1>' | '<sp2>' | '<sp3>' | '<sp4>' };

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+|#[1-4]|[，、；：,;:]|[。.]|[？?]|[！!]/g;
const INITIAL_RE = /^(zh|ch|sh|[bpmfdtnlgkhjqxrzcs])/;
const FINAL_SET = new Set<string>(ZH_FINALS);
const INITIAL_SET = new Set<string>(ZH_INITIALS);

const Y_FINALS: Record<string, string> = {
  yi: 'i', yin: 'in', ying: 'ing', ya: 'ia', yan: 'ian', yang: 'iang', yao: 'iao', ye: 'ie', you: 'iou', yong: 'iong', yo: 'io',
  yu: 'v', yue: 've', yuan: 'van', yun: 'vn',
};
const W_FINALS: Record<string, string> = { wu: 'u', wa: 'ua', wo: 'uo', wai: 'uai', wei: 'uei', wan: 'uan', wen: 'uen', wang: 'uang', weng: 'ueng' };

/** Thrown for pinyin the module cannot read (e.g. in a Baker line). */
export class PinyinError extends Error {
  override name = 'PinyinError';
}

/**
 * Splits a toned pinyin syllable into initial, final and tone. Erhua ("nar3", "huar1") sets `erhua`.
 *
 * @example splitPinyin('liu2') // { initial: 'l', final: 'iou', tone: 2, erhua: false }
 */
export function splitPinyin(syllable: string): { initial: string; final: string; tone: number; erhua: boolean } {
  const m = /^([a-zü:v]+)([0-5])?$/.exec(syllable.trim().toLowerCase());
  if (!m) throw new PinyinError(`cannot read pinyin syllable "${syllable}"`);
  let body = m[1]!.replace(/ü|u:/g, 'v');
  const tone = m[2] === undefined || m[2] === '0' ? 5 : Number(m[2]);
  let erhua = false;
  if (body.endsWith('r') && body !== 'er' && body.length > 1) { erhua = true; body = body.slice(0, -1); }
  if (body === 'hm' || body === 'hng' || body === 'm' || body === 'n' || body === 'ng') return { initial: body === 'hm' || body === 'hng' ? 'h' : '', final: 'en', tone, erhua };
  const im = INITIAL_RE.exec(body);
  let initial = im ? im[1]! : '';
  let rest = body.slice(initial.length);
  if (!initial) {
    if (body.startsWith('y')) rest = Y_FINALS[body] ?? body.slice(1);
    else if (body.startsWith('w')) rest = W_FINALS[body] ?? body.slice(1);
  } else {
    if ('jqx'.includes(initial) && rest.startsWith('u')) rest = 'v' + rest.slice(1);
    else if (rest === 'i' && (initial === 'z' || initial === 'c' || initial === 's')) rest = 'ii';
    else if (rest === 'i' && (initial === 'zh' || initial === 'ch' || initial === 'sh' || initial === 'r')) rest = 'iii';
    else if (rest === 'iu') rest = 'iou';
    else if (rest === 'ui') rest = 'uei';
    else if (rest === 'un') rest = 'uen';
    else if (rest === 'ue') rest = 've';
  }
  if (!FINAL_SET.has(rest) || (initial && !INITIAL_SET.has(initial))) throw new PinyinError(`cannot read pinyin syllable "${syllable}"`);
  return { initial, final: rest, tone, erhua };
}

/** Baker-style symbols of one syllable: [zh:initial] zh:final+tone [zh:rr]. */
export function syllableSymbols(s: ZhSyllable): string[] {
  const out: string[] = [];
  if (s.initial) out.push(ZH_PREFIX + s.initial);
  out.push(`${ZH_PREFIX}${s.final}${s.tone}`);
  if (s.erhua) out.push(ZH_ERHUA);
  return out;
}

function makeSyllable(text: string, py: string): ZhSyllable {
  const p = splitPinyin(py);
  return { text, initial: p.initial, final: p.final, tone: p.tone, erhua: p.erhua, citationTone: p.tone };
}

/** 儿 that is its own syllable (儿子, 女儿), not an erhua suffix. */
const NON_ERHUA_BEFORE = new Set(['女', '婴', '孤', '幼', '健', '胎', '男', '宠', '少', '患', '托', '血', '生', '孩', '侄', '孙', '外', '乳', '正']);
const NON_ERHUA_AFTER = new Set(['子', '童', '女', '科', '歌', '时', '媳', '孙']);

const NUMERAL_CHARS = new Set([...'零〇一二三四五六七八九十百千万亿两幺点第']);

/** Pinyin-pro syllables for a run of characters, one per character. */
function runSyllables(run: string): { words: { text: string; pinyin: string[] }[] } {
  const segs = segment(run, { format: OutputFormat.AllSegment, toneType: 'num', toneSandhi: false });
  const words: { text: string; pinyin: string[] }[] = [];
  for (const s of segs) {
    const chars = [...s.origin];
    let syl: string[] = s.result.match(/[a-zü]+[0-5]/g) ?? [];
    if (syl.length !== chars.length) syl = pinyin(s.origin, { toneType: 'num', type: 'array', toneSandhi: false });
    if (syl.length !== chars.length) continue;
    words.push({ text: s.origin, pinyin: syl });
  }
  return { words };
}

interface Cell { syl: ZhSyllable; word: number; locked: boolean; lastOfWord: boolean; wordLength: number }

/** 一/不 sandhi and third-tone sandhi over one phrase (between punctuation and #3/#4 breaks). */
function applySandhi(cells: Cell[]): void {
  const n = cells.length;
  for (let i = 0; i < n; i++) {
    const c = cells[i]!;
    if (c.locked) continue;
    const ch = c.syl.text;
    const prev = cells[i - 1], next = cells[i + 1];
    if (ch === '一') {
      if (!next || (c.lastOfWord && c.wordLength > 1) || (prev && NUMERAL_CHARS.has(prev.syl.text)) || NUMERAL_CHARS.has(next.syl.text) || next.syl.text === '月') c.syl.tone = 1;
      else if (prev && prev.syl.text === next.syl.text) c.syl.tone = 5;
      else c.syl.tone = next.syl.citationTone === 4 || next.syl.citationTone === 5 ? 2 : 4;
    } else if (ch === '不' && next) {
      if (prev && prev.syl.text === next.syl.text) c.syl.tone = 5;
      else if (next.syl.citationTone === 4) c.syl.tone = 2;
    }
  }
  // Third tone: inside a word all but the last 3 → 2; across words, a word-final 3 before a 3 → 2.
  for (let i = 0; i < n - 1; i++) {
    const a = cells[i]!, b = cells[i + 1]!;
    if (a.locked || a.syl.tone !== 3 || b.syl.tone !== 3) continue;
    if (a.word === b.word) { a.syl.tone = 2; continue; }
    // b's word: if its own internal sandhi will turn b into 2, a keeps 3 (纸+老虎 → zhi3 lao2 hu3).
    const c = cells[i + 2];
    const bTurns = !!c && c.word === b.word && c.syl.tone === 3 && !b.locked;
    if (!bTurns) a.syl.tone = 2;
  }
}

function erhuaMerge(words: { text: string; syllables: ZhSyllable[]; source: ZhWord['source'] }[]): void {
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    for (let i = 0; i < word.syllables.length; i++) {
      const s = word.syllables[i]!;
      if (s.text !== '儿' || word.source === 'lexicon') continue;
      // The syllable before may sit in the previous word (pinyin-pro often splits 哪|儿).
      const prevWord = i > 0 ? word : words[w - 1];
      const prevSyl = i > 0 ? word.syllables[i - 1] : prevWord?.source === 'lexicon' ? undefined : prevWord?.syllables[prevWord.syllables.length - 1];
      const nextChar = word.syllables[i + 1]?.text ?? words[w + 1]?.text[0];
      if (!prevSyl || NON_ERHUA_BEFORE.has(prevSyl.text) || (nextChar && NON_ERHUA_AFTER.has(nextChar)) || prevSyl.erhua || prevSyl.final === 'er') continue;
      prevSyl.erhua = true;
      prevSyl.text += '儿';
      word.syllables.splice(i, 1);
      if (i === 0 && prevWord) {
        // Move the rest of this word onto the previous one so 哪儿 stays one word.
        prevWord.text += word.text;
        prevWord.syllables.push(...word.syllables);
        words.splice(w, 1);
        w--;
        break;
      }
      i--;
    }
  }
}

/**
 * Converts Chinese text (already normalised: no digits) to words with Baker-style syllables,
 * punctuation and prosody pauses (#1-#4 → `<sp1>`..`<sp4>`).
 *
 * @example chineseToItems('你好')[0] // word 你好 with ni2 hao3
 */
export function chineseToItems(text: string, lexicon?: Lexicon): ZhItem[] {
  const items: ZhItem[] = [];
  let phrase: Cell[] = [];
  const flush = (): void => { applySandhi(phrase); phrase = []; };
  CJK_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CJK_RUN.exec(text))) {
    const tok = m[0];
    if (tok[0] === '#') {
      const level = Number(tok[1]);
      if (level >= 3) flush();
      items.push({ kind: 'pause', symbol: `<sp${level}>` as '<sp1>' });
      continue;
    }
    if (!CJK.test(tok)) {
      flush();
      items.push({ kind: 'punct', symbol: /[。.]/.test(tok) ? '.' : /[？?]/.test(tok) ? '?' : /[！!]/.test(tok) ? '!' : ',' });
      continue;
    }
    // Split the run at lexicon entries, which are used verbatim.
    const words: { text: string; syllables: ZhSyllable[]; source: ZhWord['source'] }[] = [];
    let pending = '';
    const flushPending = (): void => {
      if (!pending) return;
      for (const w of runSyllables(pending).words) {
        words.push({ text: w.text, source: 'pinyin', syllables: [...w.text].map((ch, k) => makeSyllable(ch, w.pinyin[k]!)) });
      }
      pending = '';
    };
    for (let i = 0; i < tok.length;) {
      const hit = lexicon?.hasChinese ? lexicon.matchChinese(tok, i) : undefined;
      if (hit) {
        flushPending();
        words.push({ text: hit.word, source: 'lexicon', syllables: [...hit.word].map((ch, k) => makeSyllable(ch, hit.syllables[k]!)) });
        i += hit.word.length;
      } else { pending += tok[i]; i++; }
    }
    flushPending();
    erhuaMerge(words);
    for (const w of words) {
      const base = items.length;
      w.syllables.forEach((syl, k) => phrase.push({ syl, word: base, locked: w.source === 'lexicon', lastOfWord: k === w.syllables.length - 1, wordLength: w.syllables.length }));
      items.push({ kind: 'word', word: w });
    }
  }
  flush();
  return items;
}

/**
 * Reads a Baker (标贝) transcript pair: the character line with prosody labels and the pinyin line.
 * The pinyin is used as given (Baker's own readings, no sandhi re-applied); erhua syllables like
 * "nar3" cover the following 儿.
 *
 * @example bakerToItems('卡尔普#2陪外孙#1玩滑梯#4。', 'ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1')
 */
export function bakerToItems(charLine: string, pinyinLine: string): ZhItem[] {
  const chars = charLine.replace(/^\s*\d+\s+/, '').trim();
  const syllables = pinyinLine.trim().split(/\s+/).filter(Boolean);
  const items: ZhItem[] = [];
  let k = 0;
  let word: ZhWord | undefined;
  const endWord = (): void => { if (word && word.syllables.length) items.push({ kind: 'word', word }); word = undefined; };
  const re = /#[1-4]|[\u3400-\u9fff\uf900-\ufaff]|[，、；：,;:]|[。.]|[？?]|[！!]|\S/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(chars))) {
    const tok = m[0];
    if (tok[0] === '#' && tok.length === 2) { endWord(); items.push({ kind: 'pause', symbol: `<sp${tok[1]}>` as '<sp1>' }); continue; }
    if (CJK.test(tok)) {
      const prevSyl = word?.syllables[word.syllables.length - 1];
      if (tok === '儿' && prevSyl?.erhua && !prevSyl.text.endsWith('儿')) { prevSyl.text += '儿'; continue; }
      const py = syllables[k++];
      if (py === undefined) throw new PinyinError(`Baker line: more characters than pinyin syllables (at "${tok}", character ${m.index + 1})`);
      word ??= { text: '', syllables: [], source: 'baker' };
      word.text += tok;
      word.syllables.push(makeSyllable(tok, py));
      continue;
    }
    if (/[，、；：,;:。.？?！!]/.test(tok)) {
      endWord();
      items.push({ kind: 'punct', symbol: /[。.]/.test(tok) ? '.' : /[？?]/.test(tok) ? '?' : /[！!]/.test(tok) ? '!' : ',' });
    }
  }
  endWord();
  if (k !== syllables.length) throw new PinyinError(`Baker line: ${syllables.length} pinyin syllables for ${k} characters`);
  // Word text: erhua syllables already include 儿.
  for (const it of items) if (it.kind === 'word') it.word.text = it.word.syllables.map((s) => s.text).join('');
  return items;
}
