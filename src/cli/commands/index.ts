import type { Command } from '../command.js';

/** Every sub-command, in the order `clip-tts --help` lists them. Add one import and one entry per command. */
export const commands: Command[] = [];
