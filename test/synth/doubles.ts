/**
 * TEST DOUBLES for the synthesis pipeline: an acoustic model whose durations follow a simple rule
 * and a vocoder whose output level shows the mel it was given. They let the pipeline's own logic
 * (sentences, pieces, pauses, timings, prosody) be checked exactly, without trained weights.
 */
import { DEFAULT_MEL_CONFIG, type MelConfig, type MelSpectrogram } from '../../src/audio/mel.js';
import type { AcousticControls, AcousticInference, AcousticResult } from '../../src/models/acoustic/types.js';
import type { WaveformVocoder } from '../../src/synth/render.js';
import { SymbolTable } from '../../src/text/index.js';
import { isArpabetVowel } from '../../src/text/symbols.js';

/** Log-mel level of every frame the double produces: the double vocoder turns it into amplitude 0.5. */
export const SPEECH_LEVEL = Math.log(0.5);

/** Frames the rule gives a symbol at speed 1: vowels 6, consonants 3, punctuation 8. */
export function ruleFrames(symbol: string): number {
  if (/^[,.?!]$/.test(symbol)) return 8;
  return isArpabetVowel(symbol) ? 6 : 3;
}

/** TEST DOUBLE acoustic model: durations by `ruleFrames` (scaled by the controls), a flat mel. */
export class RuleAcousticDouble implements AcousticInference {
  readonly melConfig: MelConfig = { ...DEFAULT_MEL_CONFIG };
  /** Every call, for assertions on what the pipeline asked for. */
  readonly calls: { symbols: string[]; controls: AcousticControls }[] = [];

  constructor(
    readonly symbols: SymbolTable = SymbolTable.default(),
    readonly speakers: readonly string[] = [],
    readonly emotions: readonly string[] = [],
  ) {}

  infer(phonemes: Int32Array, controls: AcousticControls = {}): AcousticResult {
    if (phonemes.length === 0) throw new RangeError('empty input');
    const symbols = this.symbols.decode(phonemes);
    this.calls.push({ symbols, controls: { ...controls } });
    const speed = controls.speed ?? 1;
    const durations = Int32Array.from(symbols, (s, i) => Math.max(1, Math.round((ruleFrames(s) * (controls.durationScale?.[i] ?? 1)) / speed)));
    const frames = durations.reduce((a, b) => a + b, 0);
    const nMels = this.melConfig.nMels;
    return { mel: new Float32Array(frames * nMels).fill(SPEECH_LEVEL), frames, nMels, durations };
  }
}

/** TEST DOUBLE vocoder: every frame becomes `hop` samples equal to exp(mel channel 0 of that frame). */
export class LevelVocoderDouble implements WaveformVocoder {
  readonly sampleRate = 22050;
  readonly hop = 256;

  vocode(mel: MelSpectrogram): Float32Array {
    const out = new Float32Array(mel.frames * this.hop);
    for (let t = 0; t < mel.frames; t++) out.fill(Math.exp(mel.data[t]!), t * this.hop, (t + 1) * this.hop);
    return out;
  }
}
