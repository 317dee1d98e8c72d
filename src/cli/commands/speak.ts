import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flagNumber, flagString, parseArgs, UsageError, type Command, type ParsedArgs, rejectUnknownFlags, flagPositiveInt } from '../command.js';
import { ClipTTS, DEFAULT_VOICE, resolveSynthesisOptions, toWav, type SynthesisOptions, type SynthesisResult } from '../../synth/index.js';

/** The numeric synthesis options and their flags: one table for reading them and for naming them in errors. */
const NUMERIC_OPTIONS = {
  speed: 'speed', pitch: 'pitch', energy: 'energy',
  sentenceSilence: 'sentence-silence', leadingSilence: 'leading-silence', trailingSilence: 'trailing-silence',
} as const satisfies Partial<Record<keyof SynthesisOptions, string>>;

const KNOWN_FLAGS = ['o', 'output', 'input', 'out-dir', 'timestamps', 'voice', 'speaker', 'emotion', 'ssml', 'threads', ...Object.values(NUMERIC_OPTIONS)];

/** Batch ids become file names: keep them plain. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** `--speaker 3` is an index unless the voice has a speaker named "3". */
function choiceFlag(value: string | undefined, names: readonly string[]): string | number | undefined {
  if (value === undefined) return undefined;
  return !names.includes(value) && /^\d+$/.test(value) ? Number(value) : value;
}

/** Options from the flags, checked before the voice is loaded (speaker/emotion names after: see withChoices). */
function synthesisOptions(args: ParsedArgs): SynthesisOptions {
  const o: SynthesisOptions = { ssml: args.flags.get('ssml') === true };
  for (const [option, flag] of Object.entries(NUMERIC_OPTIONS) as [keyof typeof NUMERIC_OPTIONS, string][]) {
    const value = flagNumber(args, flag);
    if (value !== undefined) o[option] = value;
  }
  return checked(o, [], []);
}

/** Adds --speaker/--emotion, checked against the loaded voice's names. */
function withChoices(args: ParsedArgs, o: SynthesisOptions, tts: ClipTTS): SynthesisOptions {
  const out = { ...o };
  const speaker = choiceFlag(flagString(args, 'speaker'), tts.speakers), emotion = choiceFlag(flagString(args, 'emotion'), tts.emotions);
  if (speaker !== undefined) out.speaker = speaker;
  if (emotion !== undefined) out.emotion = emotion;
  return checked(out, tts.speakers, tts.emotions);
}

function checked(o: SynthesisOptions, speakers: readonly string[], emotions: readonly string[]): SynthesisOptions {
  try {
    resolveSynthesisOptions(o, speakers, emotions);
  } catch (e) {
    const message = (e as Error).message;
    const option = Object.keys(NUMERIC_OPTIONS).find((k) => message.startsWith(`${k} `)) as keyof typeof NUMERIC_OPTIONS | undefined;
    throw new UsageError(option ? `--${NUMERIC_OPTIONS[option]}${message.slice(option.length)}` : message);
  }
  return o;
}

const timings = (r: SynthesisResult): object => ({ sampleRate: r.sampleRate, duration: r.duration, words: r.words, phonemes: r.phonemes });

/** `clip-tts speak`: text (argument, stdin or a batch file) → WAV with the bundled or a chosen voice. */
export const speakCommand: Command = {
  name: 'speak',
  summary: 'Speak text into a WAV file (argument, stdin, or a batch file of id|text lines)',
  help: `Usage: clip-tts speak "TEXT" -o OUT.wav [options]
       echo "TEXT" | clip-tts speak -o OUT.wav [options]
       clip-tts speak --input FILE --out-dir DIR [options]

Speaks English text (numbers, dates, money and abbreviations are read out) with the bundled voice
${DEFAULT_VOICE} or the one given by --voice. Long text is spoken sentence by sentence, with 0.2 s
between sentences. Without TEXT, the text is read from stdin (when it is not a terminal).

Batch mode: FILE has one utterance a line, "id|text" (further |-separated columns are ignored,
as in LJSpeech's metadata.csv); each line is written to DIR/ID.wav. A bad line is reported as
FILE:LINE and skipped; the others are still written (exit code 1 if any was skipped).

Options:
  -o, --output FILE      output WAV, 16-bit PCM mono ("-" writes it to stdout)
  --input FILE           batch file of id|text lines
  --out-dir DIR          folder for the batch WAVs (created)
  --timestamps FILE      word and phoneme timings as JSON: {sampleRate, duration, words: [{word, start,
                         end, textStart, textEnd}], phonemes: [{symbol, start, end}]} (seconds); in batch
                         mode one object {ID: timings, ...}
  --voice NAME|DIR|URL   voice name (see \`clip-tts voices\`), voice folder, or http(s) URL (default ${DEFAULT_VOICE})
  --speed X              speaking rate, 0 < X <= 10 (default 1; 1.5 = 50% faster)
  --pitch ST             pitch shift in semitones, -24..24 (default 0)
  --energy X             loudness multiplier on the predicted energy, 0 < X <= 4 (default 1)
  --speaker NAME|N       speaker of a multi-speaker voice
  --emotion NAME|N       emotion of a voice trained with emotions
  --sentence-silence S   seconds of silence between sentences (default 0.2)
  --leading-silence S    seconds of silence before the first word (default 0.15)
  --trailing-silence S   seconds of silence after the last word (default 0.15)
  --ssml                 read the text as SSML (<speak>, <break time="300ms"/>, <prosody rate pitch volume>,
                         <say-as>, <phoneme>, <sub>, ...)
  --threads N            engine threads (default 2)

Examples:
  clip-tts speak "Hello from ClipTTS." -o hello.wav
  clip-tts speak "It costs \\$5." -o five.wav --speed 1.2 --timestamps five.json
  cat chapter.txt | clip-tts speak -o chapter.wav
  clip-tts speak --input metadata.csv --out-dir wavs --voice ./voices/my-voice`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['ssml']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    const input = flagString(args, 'input'), outDir = flagString(args, 'out-dir'), output = flagString(args, 'o', 'output');
    const timestampsFile = flagString(args, 'timestamps');
    const threads = flagPositiveInt(args, 'threads');
    if (args.positional.length > 1) throw new UsageError(`expected one TEXT argument, got ${args.positional.length} (quote the text)`);
    if (input !== undefined) {
      if (!outDir) throw new UsageError('--input needs --out-dir DIR');
      if (output !== undefined || args.positional.length) throw new UsageError('--input (batch mode) takes no TEXT and no -o; WAVs go to --out-dir');
      if (!existsSync(input)) throw new UsageError(`--input ${input}: no such file`);
    } else {
      if (outDir !== undefined) throw new UsageError('--out-dir is for batch mode (--input FILE)');
      if (!output) throw new UsageError('missing -o OUT.wav');
    }
    let text: string | null = null;
    if (input === undefined) {
      if (args.positional.length) text = args.positional[0]!;
      else if (!process.stdin.isTTY) text = await readStdin();
      else throw new UsageError('missing TEXT (give it as an argument, pipe it on stdin, or use --input FILE)');
      if (!text.trim()) throw new UsageError(args.positional.length ? 'TEXT is empty' : 'stdin held no text');
    }

    const baseOptions = synthesisOptions(args);
    const warn = (m: string): void => console.error(`clip-tts speak: warning: ${m}`);
    const tts = await ClipTTS.load(flagString(args, 'voice') ?? DEFAULT_VOICE, { ...(threads !== undefined ? { threads } : {}), onWarning: warn });
    try {
      const opts = withChoices(args, baseOptions, tts);
      if (text !== null) {
        const t0 = performance.now();
        const r = await tts.synthesize(text, opts);
        const seconds = (performance.now() - t0) / 1000;
        const wav = toWav(r.audio, r.sampleRate);
        if (output === '-') process.stdout.write(wav);
        else writeFileSync(output!, wav);
        if (timestampsFile) writeFileSync(timestampsFile, JSON.stringify(timings(r), null, 1) + '\n');
        const note = `${r.duration.toFixed(2)} s of audio, ${r.words.length} words, in ${seconds.toFixed(2)} s -> ${output === '-' ? 'stdout' : output}`;
        if (output === '-') console.error(note); else console.log(note);
        return 0;
      }
      return await speakBatch(tts, input!, outDir!, opts, timestampsFile);
    } finally {
      tts.dispose();
    }
  },
};

/** Batch mode: one WAV per good line; bad lines are reported and skipped. */
async function speakBatch(tts: ClipTTS, input: string, outDir: string, opts: SynthesisOptions, timestampsFile: string | undefined): Promise<number> {
  const lines = readFileSync(input, 'utf8').split(/\r?\n/);
  mkdirSync(outDir, { recursive: true });
  const allTimings: Record<string, object> = {};
  const seen = new Set<string>();
  let written = 0, skipped = 0, audioSeconds = 0;
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const where = `${input}:${i + 1}`;
    const skip = (why: string): void => { console.error(`clip-tts speak: ${where}: ${why}; skipped`); skipped++; };
    const cols = line.split('|');
    const id = cols[0]!.trim(), text = cols[1];
    if (cols.length < 2) { skip('expected "id|text"'); continue; }
    if (!ID_PATTERN.test(id)) { skip(`id ${JSON.stringify(id)} is not a plain file name (letters, digits, ".", "_", "-")`); continue; }
    if (seen.has(id)) { skip(`duplicate id "${id}"`); continue; }
    if (!text?.trim()) { skip('the text column is empty'); continue; }
    seen.add(id);
    try {
      const r = await tts.synthesize(text, opts);
      writeFileSync(join(outDir, `${id}.wav`), toWav(r.audio, r.sampleRate));
      if (timestampsFile) allTimings[id] = timings(r);
      audioSeconds += r.duration;
      written++;
    } catch (e) {
      skip((e as Error).message);
    }
  }
  if (timestampsFile) writeFileSync(timestampsFile, JSON.stringify(allTimings) + '\n');
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${written} file(s) written to ${outDir} (${audioSeconds.toFixed(1)} s of audio in ${seconds.toFixed(1)} s)${skipped ? `; ${skipped} line(s) skipped` : ''}`);
  return skipped ? 1 : 0;
}
