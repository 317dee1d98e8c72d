import type { Command } from '../command.js';
import { melCommand } from './mel.js';
import { prepareCommand } from './prepare.js';
import { phonemizeCommand } from './phonemize.js';

/** Every sub-command, in the order `clip-tts --help` lists them. Add one import and one entry per command. */
export const commands: Command[] = [
  melCommand,
  prepareCommand,
  phonemizeCommand,
];
