import { readFileSync, writeFileSync } from 'node:fs';
import { flagString, parseArgs, UsageError, type Command, rejectUnknownFlags } from '../command.js';
import { readWavFile } from '../../audio/wav-file.js';
import { resample } from '../../audio/resample.js';
import { DEFAULT_MEL_CONFIG, MelExtractor, parseMelConfigJson, MelConfigError, type MelConfig } from '../../audio/mel.js';
import { encodeNpy } from '../../audio/npy.js';
import { renderMelImage } from '../../audio/plot.js';
import { encodePng } from '../../audio/png.js';

const KNOWN_FLAGS = ['o', 'output', 'config', 'png'];

function loadConfig(path: string | undefined): MelConfig {
  if (path === undefined) return { ...DEFAULT_MEL_CONFIG };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --config ${path}${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseMelConfigJson(json);
  } catch (e) {
    if (e instanceof MelConfigError) throw new UsageError(`--config ${path}: ${e.message}`);
    throw e;
  }
}

/** `clip-tts mel`: WAV -> log-mel features (.npy [n_mels, frames] float32) and/or a PNG picture. */
export const melCommand: Command = {
  name: 'mel',
  summary: 'Compute a log-mel spectrogram from a WAV file (.npy and/or .png)',
  help: `Usage: clip-tts mel IN.wav -o OUT.npy [--config FILE.json] [--png OUT.png]

Computes the log-mel spectrogram the models and vocoders use. The input (any WAV: PCM 8/16/24/32-bit,
float, mono or multichannel, any rate) is mixed to mono and resampled to the config's sample rate.

Arguments:
  IN.wav               input audio

Options:
  -o, --output FILE    write the features as .npy (float32, shape [n_mels, frames], C order)
  --png FILE           write a picture of the spectrogram (time along x, low frequencies at the bottom)
  --config FILE.json   mel settings overriding the defaults, camelCase or HiFi-GAN snake_case keys, e.g.
                       {"sampleRate": 24000, "nFft": 2048, "hopLength": 300, "winLength": 1200, "fMax": 12000}
                       Defaults (LJSpeech / HiFi-GAN): 22050 Hz, nFft 1024, hop 256, win 1024, 80 Slaney mels,
                       0-8000 Hz, magnitude, log(clamp(x, 1e-5)).

At least one of -o and --png is required.

Example:
  clip-tts mel LJ001-0001.wav -o LJ001-0001.npy --png LJ001-0001.png`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length === 0) throw new UsageError('missing input WAV file');
    if (args.positional.length > 1) throw new UsageError(`expected one input file, got ${args.positional.length}: ${args.positional.join(' ')}`);
    const input = args.positional[0]!;
    const npyPath = flagString(args, 'o', 'output');
    const pngPath = flagString(args, 'png');
    if (!npyPath && !pngPath) throw new UsageError('nothing to write: give -o OUT.npy and/or --png OUT.png');
    const config = loadConfig(flagString(args, 'config'));

    const wav = readWavFile(input);
    if (wav.samples.length === 0) throw new Error(`${input}: contains no audio samples`);
    const samples = resample(wav.samples, wav.sampleRate, config.sampleRate);
    const mel = new MelExtractor(config).compute(samples);
    if (npyPath) writeFileSync(npyPath, encodeNpy(mel.data, [mel.nMels, mel.frames]));
    if (pngPath) writeFileSync(pngPath, encodePng(renderMelImage(mel)));
    const rate = wav.sampleRate === config.sampleRate ? `${wav.sampleRate} Hz` : `${wav.sampleRate} Hz -> ${config.sampleRate} Hz`;
    const outputs = [npyPath, pngPath].filter((p): p is string => p !== undefined).join(', ');
    console.log(`${input}: ${(wav.samples.length / wav.sampleRate).toFixed(2)} s, ${rate}, mel [${mel.nMels}, ${mel.frames}] -> ${outputs}`);
    return 0;
  },
};
