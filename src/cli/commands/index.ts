import type { Command } from '../command.js';
import { melCommand } from './mel.js';
import { prepareCommand } from './prepare.js';
import { phonemizeCommand } from './phonemize.js';
import { trainVocoderCommand } from './train-vocoder.js';
import { vocodeCommand } from './vocode.js';
import { trainAlignerCommand } from './train-aligner.js';
import { alignCommand } from './align.js';
import { evalAlignerCommand } from './eval-aligner.js';
import { trainClipCommand } from './train-clip.js';
import { evalClipCommand } from './eval-clip.js';
import { speakCommand } from './speak.js';
import { voicesCommand } from './voices.js';
import { serveCommand } from './serve.js';
import { exportVoiceCommand } from './export-voice.js';
import { trainCommand } from './train.js';
import { evalAcousticCommand } from './eval-acoustic.js';
import { predictMelsCommand } from './predict-mels.js';

/** Every sub-command, in the order `clip-tts --help` lists them. Add one import and one entry per command. */
export const commands: Command[] = [
  speakCommand,
  voicesCommand,
  serveCommand,
  melCommand,
  prepareCommand,
  phonemizeCommand,
  trainVocoderCommand,
  vocodeCommand,
  trainClipCommand,
  evalClipCommand,
  trainAlignerCommand,
  alignCommand,
  evalAlignerCommand,
  exportVoiceCommand,
  trainCommand,
  evalAcousticCommand,
  predictMelsCommand,
];
