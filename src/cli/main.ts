#!/usr/bin/env node
import { commands } from './commands/index.js';
import { UsageError } from './command.js';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `clip-tts: Clip-TTS text-to-speech, trained and run on CPU\n\nUsage: clip-tts <command> [options]\n\nCommands:\n${list}\n\nRun \`clip-tts <command> --help\` for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`clip-tts: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`clip-tts ${name}: ${e.message}\n\n${cmd.help}`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`clip-tts ${name}: ${msg}`);
    if (process.env.CLIP_TTS_DEBUG) console.error(e);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
