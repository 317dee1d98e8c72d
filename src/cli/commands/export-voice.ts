import { readFileSync } from 'node:fs';
import { flagString, parseArgs, UsageError, type Command, rejectUnknownFlags } from '../command.js';
import { initEngine } from '../../engine/index.js';
import { ClipTTS, exportVoice, VOICE_SIZE_BUDGET_BYTES } from '../../synth/index.js';

const KNOWN_FLAGS = ['acoustic', 'vocoder', 'out', 'o', 'name', 'description', 'language', 'license', 'training', 'threads'];
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** `clip-tts export-voice`: training runs → a voice folder `speak --voice` and `ClipTTS.load` use. */
export const exportVoiceCommand: Command = {
  name: 'export-voice',
  summary: 'Package an acoustic run and a vocoder run as a voice folder (voice.json + weights)',
  help: `Usage: clip-tts export-voice --acoustic RUN_DIR --vocoder RUN_DIR --out DIR --name NAME
                             [--description TEXT] [--language en] [--license TEXT] [--training FILE.json]

Writes a voice folder: acoustic.safetensors and vocoder.safetensors (inference weights only: no
optimizer state, EMA shadows or discriminators; each embeds its model config) and voice.json
(name, language, sample rate, license and provenance: runs, steps, date, plus --training).
voice.json is written last, so an interrupted export is never mistaken for a voice. The new voice
is then loaded and made to say one sentence as a check. Sizes are printed, with a warning above
the 40 MB budget of a bundled voice.

Options:
  --acoustic DIR|FILE    run folder of \`clip-tts train\` (or its checkpoint)
  --vocoder DIR|FILE     run folder of \`clip-tts train-vocoder\` (the fine-tuned one, if any)
  -o, --out DIR          voice folder to write (an existing voice there is replaced)
  --name NAME            voice name (letters, digits, ".", "_", "-"); --voice NAME finds it in voices/
  --description TEXT     one line shown by \`clip-tts voices\`
  --language TAG         text language: en (default), zh
  --license TEXT         terms of the voice (those of its training data); default "unspecified"
  --training FILE.json   extra provenance merged into voice.json "training" (e.g. measured WER, MCD)
  --threads N            engine threads (default 2)

Example:
  clip-tts export-voice --acoustic runs/acoustic --vocoder runs/vocoder-ft --out voices/en-slt \\
    --name en-slt --description "US English, female (CMU ARCTIC slt teacher)"`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const need = (flag: string, ...aliases: string[]): string => {
      const v = flagString(args, flag, ...aliases);
      if (!v) throw new UsageError(`missing --${flag}`);
      return v;
    };
    const acoustic = need('acoustic'), vocoder = need('vocoder'), outDir = need('out', 'o'), name = need('name');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`--name "${name}": use letters, digits, ".", "_" or "-"`);
    let training: Record<string, unknown> | undefined;
    const trainingFile = flagString(args, 'training');
    if (trainingFile) {
      let json: unknown;
      try { json = JSON.parse(readFileSync(trainingFile, 'utf8')); } catch (e) { throw new UsageError(`--training ${trainingFile}: ${(e as Error).message}`); }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`--training ${trainingFile}: expected a JSON object`);
      training = json as Record<string, unknown>;
    }
    const threadsText = flagString(args, 'threads');
    const threads = threadsText === undefined ? undefined : Number(threadsText);
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError(`--threads must be a positive integer, got ${threadsText}`);
    await initEngine(threads !== undefined ? { threads } : {});

    const optional = (flag: string): string | undefined => flagString(args, flag);
    const description = optional('description'), language = optional('language'), license = optional('license');
    const r = await exportVoice({
      acoustic, vocoder, outDir, name,
      ...(description !== undefined ? { description } : {}), ...(language !== undefined ? { language } : {}),
      ...(license !== undefined ? { license } : {}), ...(training ? { training } : {}),
    });
    console.log(`voice ${name} -> ${r.dir}: acoustic ${mb(r.bytes.acoustic)}, vocoder ${mb(r.bytes.vocoder)}, total ${mb(r.bytes.total)}`);
    if (r.bytes.total > VOICE_SIZE_BUDGET_BYTES) console.error(`clip-tts export-voice: warning: ${mb(r.bytes.total)} is over the ${mb(VOICE_SIZE_BUDGET_BYTES)} budget of a bundled voice`);
    // Check: the folder loads and speaks.
    const tts = await ClipTTS.load(r.dir, { onWarning: (m) => console.error(`clip-tts export-voice: warning: ${m}`) });
    try {
      const check = await tts.synthesize('The quick brown fox jumps over the lazy dog.');
      if (!check.audio.every(Number.isFinite)) throw new Error(`${r.dir}: the exported voice produced non-finite samples`);
      console.log(`check: ${check.duration.toFixed(2)} s of audio for a 9-word sentence`);
    } finally {
      tts.dispose();
    }
    return 0;
  },
};
