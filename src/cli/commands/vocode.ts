import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { flagString, parseArgs, UsageError, type Command, rejectUnknownFlags } from '../command.js';
import { initEngine } from '../../engine/index.js';
import { readWavFile, writeWavFile } from '../../audio/node.js';
import { resample } from '../../audio/resample.js';
import { DEFAULT_MEL_CONFIG, MelExtractor, resolveMelConfig, type MelConfig, type MelSpectrogram } from '../../audio/mel.js';
import { decodeNpy } from '../../audio/npy.js';
import { griffinLimFromMel } from '../../audio/griffin-lim.js';
import { DEFAULT_REFINE_ITERATIONS } from '../../audio/mel-refine.js';
import { VocoderSynthesizer } from '../../models/vocoder/vocode.js';

const KNOWN_FLAGS = ['o', 'output', 'vocoder', 'griffin-lim', 'iterations', 'refine'];
/** Where `--vocoder` points by default: the bundled voice's vocoder. */
const DEFAULT_VOCODER = new URL('../../../../voices/en-slt/vocoder.safetensors', import.meta.url).pathname;

function readMelNpy(path: string, nMels: number): MelSpectrogram {
  const arr = decodeNpy(readFileSync(path), path);
  if (arr.shape.length !== 2 || arr.shape[0] !== nMels) throw new UsageError(`${path}: expected a [${nMels}, frames] mel, got [${arr.shape.join(', ')}]`);
  return { data: Float32Array.from(arr.data), nMels, frames: arr.shape[1]! };
}

/** `clip-tts vocode`: copy-synthesis (wav → log-mel → vocoder → wav) or mel .npy → wav. */
export const vocodeCommand: Command = {
  name: 'vocode',
  summary: 'Turn a log-mel (.npy) or a WAV (copy-synthesis) into a WAV with the vocoder or Griffin-Lim',
  help: `Usage: clip-tts vocode IN.wav|IN.npy -o OUT.wav [--vocoder DIR] [--griffin-lim]

IN.wav: copy-synthesis, for checking a vocoder: the wav is resampled to the vocoder's rate, turned
into the log-mel the models use, and vocoded back; OUT.wav has the (resampled) input's length.
IN.npy: a log-mel [n_mels, frames] float32 (e.g. from \`clip-tts mel\` or an acoustic model);
OUT.wav has frames x hop samples.

Options:
  -o, --output FILE     output WAV (16-bit PCM)
  --vocoder DIR|FILE    a train-vocoder run folder or .safetensors (default: the bundled voice's)
  --griffin-lim         use the Griffin-Lim fallback instead (no checkpoint needed; default mel config)
  --iterations N        Griffin-Lim iterations (default 32)
  --refine N            mel-envelope refinement iterations after the vocoder (default 2; 0 = the
                        network's raw output; see docs/vocoder.md)

Example:
  clip-tts vocode LJ001-0001.wav -o copy.wav --vocoder runs/vocoder
  clip-tts vocode LJ001-0001.wav -o gl.wav --griffin-lim`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['griffin-lim']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 1) throw new UsageError('expected one input (IN.wav or IN.npy)');
    const input = args.positional[0]!;
    const output = flagString(args, 'o', 'output');
    if (!output) throw new UsageError('missing -o OUT.wav');
    const useGl = args.flags.get('griffin-lim') === true;
    const iterText = flagString(args, 'iterations');
    const iterations = iterText === undefined ? 32 : Number(iterText);
    if (!Number.isInteger(iterations) || iterations < 1) throw new UsageError(`--iterations must be a positive integer, got ${iterText}`);
    const refineText = flagString(args, 'refine');
    const refineIterations = refineText === undefined ? DEFAULT_REFINE_ITERATIONS : Number(refineText);
    if (!Number.isInteger(refineIterations) || refineIterations < 0) throw new UsageError(`--refine must be an integer >= 0, got ${refineText}`);
    if (useGl && refineText !== undefined) throw new UsageError('--refine applies to the neural vocoder, not --griffin-lim');

    let synth: VocoderSynthesizer | null = null;
    let melConfig: MelConfig = { ...DEFAULT_MEL_CONFIG };
    if (!useGl) {
      const dir = flagString(args, 'vocoder') ?? DEFAULT_VOCODER;
      if (!existsSync(dir)) throw new UsageError(`no vocoder at ${dir}: pass --vocoder DIR (a train-vocoder run) or --griffin-lim`);
      await initEngine();
      synth = await VocoderSynthesizer.load(dir, { refineIterations });
      melConfig = resolveMelConfig(synth.config.mel);
    }
    let mel: MelSpectrogram;
    let length: number;
    const t0 = performance.now();
    if (input.toLowerCase().endsWith('.npy')) {
      mel = readMelNpy(input, melConfig.nMels);
      length = mel.frames * melConfig.hopLength;
    } else {
      const wav = readWavFile(input);
      if (wav.samples.length === 0) throw new Error(`${input}: contains no audio samples`);
      const samples = resample(wav.samples, wav.sampleRate, melConfig.sampleRate);
      mel = new MelExtractor(melConfig).compute(samples);
      length = samples.length;
    }
    const audio = synth ? synth.vocode(mel, length) : griffinLimFromMel(mel, melConfig, { iterations, length });
    const seconds = (performance.now() - t0) / 1000;
    writeWavFile(output, audio, melConfig.sampleRate);
    const what = synth ? `vocoder ${synth.config.preset}${refineIterations ? ` + ${refineIterations} refinement iterations` : ''}` : `Griffin-Lim (${iterations} iterations)`;
    console.log(`${input}: mel [${mel.nMels}, ${mel.frames}] -> ${what} -> ${output} (${(length / melConfig.sampleRate).toFixed(2)} s of audio in ${seconds.toFixed(2)} s)`);
    synth?.dispose();
    return 0;
  },
};
