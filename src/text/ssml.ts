/**
 * SSML subset → flat list of segments, each carrying the prosody controls in force.
 *
 * Elements: speak, p, s, break, say-as, phoneme, sub, prosody, emphasis, lang, voice, mark.
 * Malformed markup throws SsmlError with line and column.
 */

/** Prosody in force on a span (nested <prosody> multiply rates and add pitch/volume). */
export interface ProsodyControls {
  /** Speaking-rate multiplier (1 = normal, 2 = twice as fast). */
  rate: number;
  /** Pitch shift in semitones. */
  pitchSemitones: number;
  /** Gain in dB (0 = unchanged; -96 = silent). */
  volumeDb: number;
  emphasis?: 'strong' | 'moderate' | 'reduced' | 'none';
  /** Language tag from <lang xml:lang> / <speak xml:lang>. */
  lang?: string;
  /** Voice name from <voice name>. */
  voice?: string;
}

export const DEFAULT_CONTROLS: Readonly<ProsodyControls> = Object.freeze({ rate: 1, pitchSemitones: 0, volumeDb: 0 });

export type BreakStrength = 'none' | 'x-weak' | 'weak' | 'medium' | 'strong' | 'x-strong';
export type SayAs = 'characters' | 'spell-out' | 'cardinal' | 'number' | 'ordinal' | 'digits' | 'date' | 'telephone' | 'time' | 'verbatim';

export type Segment =
  | { kind: 'text'; text: string; controls: ProsodyControls; sayAs?: { interpretAs: SayAs; format?: string } }
  | { kind: 'phonemes'; alphabet: 'arpabet' | 'ipa' | 'pinyin'; ph: string; text: string; controls: ProsodyControls }
  | { kind: 'break'; strength: BreakStrength; timeMs?: number; controls: ProsodyControls }
  | { kind: 'boundary' };

/** Malformed SSML; `line`/`column` are 1-based. */
export class SsmlError extends Error {
  override name = 'SsmlError';
  constructor(message: string, readonly offset: number, readonly line: number, readonly column: number) {
    super(`SSML error at line ${line}, column ${column}: ${message}`);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const RATE_WORDS: Record<string, number> = { 'x-slow': 0.5, slow: 0.75, medium: 1, default: 1, fast: 1.25, 'x-fast': 1.75 };
const PITCH_WORDS: Record<string, number> = { 'x-low': -6, low: -3, medium: 0, default: 0, high: 3, 'x-high': 6 };
const VOLUME_WORDS: Record<string, number> = { silent: -96, 'x-soft': -12, soft: -6, medium: 0, default: 0, loud: 6, 'x-loud': 12 };
const SAY_AS = new Set<string>(['characters', 'spell-out', 'cardinal', 'number', 'ordinal', 'digits', 'date', 'telephone', 'time', 'verbatim']);
const BREAK_STRENGTHS = new Set<string>(['none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong']);

interface Frame { name: string; controls: ProsodyControls; offset: number; sayAs?: { interpretAs: SayAs; format?: string }; sub?: string; phoneme?: { alphabet: 'arpabet' | 'ipa' | 'pinyin'; ph: string }; text: string }

/**
 * Parses SSML into segments.
 *
 * @example parseSsml('<speak>Hi <break time="300ms"/> <prosody rate="slow">there</prosody></speak>')
 */
export function parseSsml(input: string): Segment[] {
  const pos = (offset: number): [number, number] => {
    let line = 1, col = 1;
    for (let i = 0; i < offset && i < input.length; i++) { if (input[i] === '\n') { line++; col = 1; } else col++; }
    return [line, col];
  };
  const fail = (msg: string, offset: number): never => { const [l, c] = pos(offset); throw new SsmlError(msg, offset, l, c); };
  const decode = (s: string, offset: number): string => s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);?/g, (m, e: string, k: number) => {
    if (!m.endsWith(';')) fail(`unterminated entity "${m}" (escape & as &amp;)`, offset + k);
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    const v = ENTITIES[e];
    if (v === undefined) fail(`unknown entity "&${e};"`, offset + k);
    return v!;
  });

  const out: Segment[] = [];
  const stack: Frame[] = [{ name: '#root', controls: { ...DEFAULT_CONTROLS }, offset: 0, text: '' }];
  const top = (): Frame => stack[stack.length - 1]!;
  /** Inside <sub> or <phoneme> the text is collected, not emitted. */
  const collecting = (): Frame | undefined => stack.find((f) => f.sub !== undefined || f.phoneme !== undefined);
  const emitText = (text: string): void => {
    const c = collecting();
    if (c) { c.text += text; return; }
    if (!text) return;
    const f = top();
    const sayAs = stack.map((s) => s.sayAs).filter(Boolean).pop();
    const last = out[out.length - 1];
    if (last && last.kind === 'text' && !sayAs && !last.sayAs && sameControls(last.controls, f.controls)) { last.text += text; return; }
    out.push({ kind: 'text', text, controls: { ...f.controls }, ...(sayAs ? { sayAs } : {}) });
  };

  let i = 0;
  let sawSpeak = false;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt < 0) { emitText(decode(input.slice(i), i)); break; }
    if (lt > i) emitText(decode(input.slice(i, lt), i));
    if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt + 4);
      if (end < 0) fail('unclosed comment <!--', lt);
      i = end + 3; continue;
    }
    if (input.startsWith('<?', lt)) {
      const end = input.indexOf('?>', lt);
      if (end < 0) fail('unclosed <? declaration', lt);
      i = end + 2; continue;
    }
    const gt = findTagEnd(input, lt);
    if (gt < 0) fail("unclosed tag: missing '>' (write a literal < as &lt;)", lt);
    const raw = input.slice(lt + 1, gt);
    i = gt + 1;
    if (raw.startsWith('/')) {
      const name = raw.slice(1).trim();
      const f = top();
      if (f.name === '#root') fail(`closing tag </${name}> without an open <${name}>`, lt);
      if (f.name !== name) fail(`closing tag </${name}> does not match <${f.name}> opened at line ${pos(f.offset).join(', column ')}`, lt);
      stack.pop();
      closeElement(f, out, top());
      continue;
    }
    const selfClosing = raw.endsWith('/');
    const body = selfClosing ? raw.slice(0, -1) : raw;
    const nm = /^([A-Za-z][\w:.-]*)/.exec(body);
    if (!nm) fail(`bad tag "<${raw}>" (write a literal < as &lt;)`, lt);
    const name = nm![1]!;
    const attrs = parseAttributes(body.slice(name.length), lt + 1 + name.length, fail, decode);
    const parent = top();
    const frame: Frame = { name, controls: { ...parent.controls }, offset: lt, text: '' };
    const need = (a: string): string => attrs.get(a) ?? fail(`<${name}> needs the attribute ${a}="..."`, lt);
    switch (name) {
      case 'speak':
        if (sawSpeak && stack.length > 1) fail('<speak> cannot be nested', lt);
        sawSpeak = true;
        if (attrs.get('xml:lang')) frame.controls.lang = attrs.get('xml:lang')!;
        break;
      case 'p': case 's':
        out.push({ kind: 'boundary' });
        break;
      case 'break': {
        if (!selfClosing) fail('<break> must be self-closing: <break time="500ms"/>', lt);
        const strength = attrs.get('strength') ?? 'medium';
        if (!BREAK_STRENGTHS.has(strength)) fail(`<break strength="${strength}">: expected one of ${[...BREAK_STRENGTHS].join(', ')}`, lt);
        const time = attrs.get('time');
        let timeMs: number | undefined;
        if (time !== undefined) {
          const t = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(time);
          if (!t) fail(`<break time="${time}">: expected e.g. "500ms" or "1.5s"`, lt);
          timeMs = Number(t![1]) * (t![2] === 's' ? 1000 : 1);
        }
        if (!collecting()) out.push({ kind: 'break', strength: strength as BreakStrength, ...(timeMs !== undefined ? { timeMs } : {}), controls: { ...parent.controls } });
        continue;
      }
      case 'say-as': {
        const ia = need('interpret-as');
        if (!SAY_AS.has(ia)) fail(`<say-as interpret-as="${ia}">: supported are ${[...SAY_AS].join(', ')}`, lt);
        frame.sayAs = { interpretAs: ia as SayAs, ...(attrs.get('format') ? { format: attrs.get('format')! } : {}) };
        break;
      }
      case 'phoneme': {
        const alphabet = (attrs.get('alphabet') ?? 'ipa').toLowerCase();
        if (alphabet !== 'ipa' && alphabet !== 'arpabet' && alphabet !== 'pinyin' && alphabet !== 'x-arpabet') fail(`<phoneme alphabet="${alphabet}">: supported are arpabet, ipa, pinyin`, lt);
        frame.phoneme = { alphabet: alphabet === 'x-arpabet' ? 'arpabet' : (alphabet as 'ipa'), ph: need('ph') };
        break;
      }
      case 'sub':
        frame.sub = need('alias');
        break;
      case 'prosody': {
        const rate = attrs.get('rate'), pitch = attrs.get('pitch'), volume = attrs.get('volume');
        if (rate !== undefined) frame.controls.rate *= parseRate(rate) ?? fail(`<prosody rate="${rate}">: expected x-slow|slow|medium|fast|x-fast, "80%" or a number`, lt);
        if (pitch !== undefined) frame.controls.pitchSemitones += parsePitch(pitch) ?? fail(`<prosody pitch="${pitch}">: expected x-low..x-high, "+2st" or "+10%"`, lt);
        if (volume !== undefined) frame.controls.volumeDb += parseVolume(volume) ?? fail(`<prosody volume="${volume}">: expected silent|x-soft..x-loud or "+6dB"`, lt);
        break;
      }
      case 'emphasis': {
        const level = attrs.get('level') ?? 'moderate';
        if (!['strong', 'moderate', 'reduced', 'none'].includes(level)) fail(`<emphasis level="${level}">: expected strong, moderate, reduced or none`, lt);
        frame.controls.emphasis = level as ProsodyControls['emphasis'];
        break;
      }
      case 'lang':
        frame.controls.lang = need('xml:lang');
        break;
      case 'voice':
        if (attrs.get('name')) frame.controls.voice = attrs.get('name')!;
        break;
      case 'mark': case 'audio': case 'desc':
        break;
      default:
        fail(`unsupported element <${name}> (supported: speak, p, s, break, say-as, phoneme, sub, prosody, emphasis, lang, voice, mark)`, lt);
    }
    if (!selfClosing) stack.push(frame);
    else closeElement(frame, out, parent);
  }
  if (stack.length > 1) fail(`<${top().name}> is never closed`, top().offset);
  return out;
}

function closeElement(f: Frame, out: Segment[], parent: Frame): void {
  if (f.name === 'p' || f.name === 's') { out.push({ kind: 'boundary' }); return; }
  if (f.phoneme) {
    out.push({ kind: 'phonemes', alphabet: f.phoneme.alphabet, ph: f.phoneme.ph, text: f.text.trim(), controls: { ...f.controls } });
    return;
  }
  if (f.sub !== undefined) {
    // The alias is spoken in place of the content; inside an outer collector it is collected.
    if (parent.sub !== undefined || parent.phoneme) { parent.text += f.sub; return; }
    const last = out[out.length - 1];
    if (last && last.kind === 'text' && !last.sayAs && sameControls(last.controls, f.controls)) last.text += f.sub;
    else out.push({ kind: 'text', text: f.sub, controls: { ...f.controls } });
  }
}

function sameControls(a: ProsodyControls, b: ProsodyControls): boolean {
  return a.rate === b.rate && a.pitchSemitones === b.pitchSemitones && a.volumeDb === b.volumeDb && a.emphasis === b.emphasis && a.lang === b.lang && a.voice === b.voice;
}

function findTagEnd(s: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
    else if (c === '<') return -1;
  }
  return -1;
}

function parseAttributes(s: string, offset: number, fail: (m: string, o: number) => never, decode: (s: string, o: number) => string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /\s*([A-Za-z_][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')|\s*(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m[5] !== undefined) fail(`bad attribute syntax near "${m[5]}" (expected name="value")`, offset + m.index);
    const name = m[1]!;
    if (attrs.has(name)) fail(`duplicate attribute "${name}"`, offset + m.index);
    attrs.set(name, decode(m[3] ?? m[4] ?? '', offset + m.index));
  }
  return attrs;
}

function parseRate(v: string): number | undefined {
  if (v in RATE_WORDS) return RATE_WORDS[v];
  const pct = /^([+-]?\d+(?:\.\d+)?)%$/.exec(v.trim());
  if (pct) return v.trim().startsWith('+') || v.trim().startsWith('-') ? 1 + Number(pct[1]) / 100 : Number(pct[1]) / 100;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function parsePitch(v: string): number | undefined {
  if (v in PITCH_WORDS) return PITCH_WORDS[v];
  const st = /^([+-]?\d+(?:\.\d+)?)st$/.exec(v.trim());
  if (st) return Number(st[1]);
  const pct = /^([+-]\d+(?:\.\d+)?)%$/.exec(v.trim());
  if (pct && 1 + Number(pct[1]) / 100 > 0) return 12 * Math.log2(1 + Number(pct[1]) / 100);
  return undefined;
}

function parseVolume(v: string): number | undefined {
  if (v in VOLUME_WORDS) return VOLUME_WORDS[v];
  const db = /^([+-]?\d+(?:\.\d+)?)dB$/i.exec(v.trim());
  return db ? Number(db[1]) : undefined;
}

/** Milliseconds of silence for a break strength (when no time is given). */
export function breakMs(strength: BreakStrength): number {
  return { none: 0, 'x-weak': 50, weak: 150, medium: 300, strong: 600, 'x-strong': 1000 }[strength];
}
