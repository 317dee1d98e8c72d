import { parseArgs, UsageError, type Command } from '../command.js';
import { bundledVoicesDir, DEFAULT_VOICE, listVoices } from '../../synth/index.js';

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `clip-tts voices`: the voices `--voice NAME` can use. */
export const voicesCommand: Command = {
  name: 'voices',
  summary: 'List the installed voices (bundled and CLIP_TTS_VOICE_PATH)',
  help: `Usage: clip-tts voices [--json]

Lists the voices \`clip-tts speak --voice NAME\` and \`ClipTTS.load(NAME)\` can use: the folders of the
package's bundled voices/ and of the folders in CLIP_TTS_VOICE_PATH (separated by ":"; ";" on
Windows). Folders with a broken voice.json or missing weights are listed with the problem.
Any voice folder can also be used directly by its path: --voice ./my-voice.

Options:
  --json     print the list as JSON (name, dir, bytes, config or problem)

Example:
  clip-tts voices
  CLIP_TTS_VOICE_PATH=~/voices clip-tts voices`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['json']);
    const unknown = [...args.flags.keys()].filter((k) => k !== 'json');
    if (unknown.length) throw new UsageError(`unknown option ${unknown.map((k) => `--${k}`).join(', ')}`);
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const voices = listVoices();
    if (args.flags.get('json') === true) {
      console.log(JSON.stringify(voices, null, 2));
      return 0;
    }
    if (voices.length === 0) {
      console.log(`No voices installed: the bundled ${DEFAULT_VOICE} is missing from ${bundledVoicesDir()}.\n` +
        'Train one (docs/training-a-voice.md) and pass its folder with --voice DIR, or add its parent folder to CLIP_TTS_VOICE_PATH.');
      return 0;
    }
    const rows = voices.map((v) => [
      v.name + (v.name === DEFAULT_VOICE ? ' *' : ''),
      v.config?.language ?? '?',
      v.config ? `${v.config.sampleRate} Hz` : '?',
      mb(v.bytes),
      v.problem ? `UNUSABLE: ${v.problem.split('\n').join(' ')}` : (v.config?.description ?? ''),
    ]);
    const head = ['NAME', 'LANG', 'RATE', 'SIZE', 'DESCRIPTION'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    console.log(line(head));
    for (const r of rows) console.log(line(r));
    console.log(`\n* default voice. Folders: ${[...new Set(voices.map((v) => v.dir.slice(0, v.dir.length - v.name.length - 1)))].join(', ')}`);
    return 0;
  },
};
