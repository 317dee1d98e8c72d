import { readFile } from 'node:fs/promises';
import { flagString, parseArgs, UsageError, type Command } from '../command.js';
import { Lexicon } from '../../text/lexicon.js';
import { phonemize, textToPhonemes, type PhonemizeOptions } from '../../text/phonemize.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `clip-tts phonemize`: text → phonemes, one sentence a line (or JSON). */
export const phonemizeCommand: Command = {
  name: 'phonemize',
  summary: 'Convert text (English, Mandarin, mixed, SSML) to phonemes',
  help: `Usage: clip-tts phonemize ["TEXT" | -] [--lang en|zh|auto] [--ipa] [--ssml] [--lexicon FILE] [--json | --json-full]

Prints the phonemes of each sentence on one line (words separated by " | ").
TEXT "-" or no TEXT reads standard input.

Options:
  --lang en|zh|auto   language (default auto: Mandarin when the text has Chinese characters)
  --ipa               print IPA instead of ARPAbet / Baker symbols
  --ssml              parse the input as SSML (<speak>, <break>, <say-as>, <phoneme>, ...)
  --lexicon FILE      user pronunciations (JSON, or "WORD  PH1 PH2" lines / CMUdict format) overriding the dictionary
  --json              print one JSON array of the spoken words in order:
                      [{"word": "five", "phonemes": ["F","AY1","V"], "start": 4, "end": 6, "lang": "en", ...}]
                      (start/end: character offsets of the word's source in TEXT)
  --json-full         print the full result (sentences with tokens, words, prosody spans) as JSON

Example:
  clip-tts phonemize "Dr. Smith paid \\$3.50 on Jan. 5, 2021."`,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['ipa', 'ssml', 'json', 'json-full']);
    if (args.positional.length > 1) throw new UsageError(`expected one TEXT argument, got ${args.positional.length} (quote the text)`);
    const lang = flagString(args, 'lang') ?? 'auto';
    if (lang !== 'en' && lang !== 'zh' && lang !== 'auto') throw new UsageError(`--lang must be en, zh or auto, got "${lang}"`);
    const text = args.positional[0] === undefined || args.positional[0] === '-' ? await readStdin() : args.positional[0];
    const options: PhonemizeOptions = { lang, ssml: args.flags.get('ssml') === true, ipa: args.flags.get('ipa') === true };
    const lexFile = flagString(args, 'lexicon');
    if (lexFile) {
      let content: string;
      try { content = await readFile(lexFile, 'utf8'); } catch { throw new UsageError(`cannot read lexicon file "${lexFile}"`); }
      options.lexicon = Lexicon.load(content, lexFile);
    }
    const result = phonemize(text, options);
    for (const w of result.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
    if (args.flags.get('json') === true) {
      process.stdout.write(JSON.stringify(textToPhonemes(text, options)) + '\n');
      return 0;
    }
    if (args.flags.get('json-full') === true) {
      process.stdout.write(JSON.stringify(result, null, 1) + '\n');
      return 0;
    }
    for (const s of result.sentences) {
      const parts: string[] = [];
      let cur: string[] = [];
      let curWord = -2;
      for (const t of s.tokens) {
        if (t.word !== curWord && cur.length) { parts.push(cur.join(options.ipa ? '' : ' ')); cur = []; }
        curWord = t.word;
        const sym = options.ipa ? t.ipa ?? t.symbol : t.symbol;
        cur.push(t.pauseMs !== undefined && t.symbol === '<sil>' ? `<sil:${t.pauseMs}ms>` : sym);
      }
      if (cur.length) parts.push(cur.join(options.ipa ? '' : ' '));
      process.stdout.write(parts.join(options.ipa ? ' ' : ' | ') + '\n');
    }
    return 0;
  },
};
