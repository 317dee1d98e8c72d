/**
 * A tiny randomly initialised voice for end-to-end tests: the 'tiny' acoustic preset and the
 * 'tiny' vocoder preset, saved as training-run folders and as a voice folder. It speaks noise,
 * but through every real code path (loading, inference, vocoding, export) in well under a second.
 * Needs a running engine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEL_CONFIG } from '../../src/audio/mel.js';
import { encodeSafetensors, manualSeed, type Tensor } from '../../src/engine/index.js';
import { saveCheckpoint } from '../../src/engine/node.js';
import { acousticPreset } from '../../src/models/acoustic/config.js';
import { AcousticModel } from '../../src/models/acoustic/model.js';
import type { AcousticRunConfig } from '../../src/models/acoustic/train.js';
import { resolveVocoderConfig } from '../../src/models/vocoder/config.js';
import { Vocoder } from '../../src/models/vocoder/model.js';
import { SymbolTable } from '../../src/text/index.js';

/** Frames a random tiny model gives each phoneme (its duration-predictor bias is set to ln(1 + this)). */
export const TINY_FRAMES_PER_PHONEME = 4;

function tinyAcousticConfig(speakers: string[]): AcousticRunConfig {
  const symbols = SymbolTable.default();
  return {
    ...acousticPreset('tiny'),
    data: { vocabSize: symbols.size, nMels: 80, speakers, emotions: [], logPitch: { mean: Math.log(180), std: 0.2 }, energy: { mean: 0, std: 1 } },
    symbols: symbols.toJSON(), melConfig: { ...DEFAULT_MEL_CONFIG }, textEncoderInit: 'random', clipRun: null,
  };
}

function tinyAcoustic(speakers: string[], seed: number): { model: AcousticModel; config: AcousticRunConfig } {
  manualSeed(seed);
  const config = tinyAcousticConfig(speakers);
  const model = new AcousticModel(config, config.data);
  // Random weights predict ~0 frames per phoneme; a duration bias makes the output a realistic length.
  for (const [name, p] of model.namedParameters()) {
    if (name === 'textEncoder.durationPredictor.out.bias') p.unsafeView().fill(Math.log(1 + TINY_FRAMES_PER_PHONEME));
  }
  return { model, config };
}

function tinyVocoder(seed: number): Vocoder {
  manualSeed(seed);
  return new Vocoder(resolveVocoderConfig({ preset: 'tiny' }));
}

/** Training-run folders as `clip-tts train` and `clip-tts train-vocoder` leave them (checkpoint.safetensors). */
export async function writeTinyRuns(dir: string, opts: { speakers?: string[]; seed?: number } = {}): Promise<{ acousticRun: string; vocoderRun: string }> {
  const seed = opts.seed ?? 1;
  const acousticRun = join(dir, 'acoustic-run'), vocoderRun = join(dir, 'vocoder-run');
  const { model, config } = tinyAcoustic(opts.speakers ?? [], seed);
  const trainer = JSON.stringify({ step: 7, epoch: 0, batchInEpoch: 0, rngState: 1, elapsedSeconds: 1 });
  await saveCheckpoint(join(acousticRun, 'checkpoint.safetensors'), new Map([...model.stateDict()].map(([k, t]) => [`model.${k}`, t] as [string, Tensor])), { config, metadata: { trainer } });
  model.dispose();
  const vocoder = tinyVocoder(seed + 1);
  await saveCheckpoint(join(vocoderRun, 'checkpoint.safetensors'), new Map([...vocoder.stateDict()].map(([k, t]) => [`model.generator.${k}`, t] as [string, Tensor])),
    { config: { kind: 'clip-tts-vocoder', vocoder: vocoder.config }, metadata: { trainer } });
  vocoder.dispose();
  return { acousticRun, vocoderRun };
}

/** A voice folder DIR/NAME (voice.json + acoustic.safetensors + vocoder.safetensors); returns its path. */
export function writeTinyVoice(dir: string, name = 'tiny', opts: { speakers?: string[]; seed?: number } = {}): string {
  const seed = opts.seed ?? 1;
  const voiceDir = join(dir, name);
  mkdirSync(voiceDir, { recursive: true });
  const { model, config } = tinyAcoustic(opts.speakers ?? [], seed);
  writeFileSync(join(voiceDir, 'acoustic.safetensors'), encodeSafetensors(model.stateDict(), { config: JSON.stringify(config) }));
  model.dispose();
  const vocoder = tinyVocoder(seed + 1);
  writeFileSync(join(voiceDir, 'vocoder.safetensors'), encodeSafetensors(vocoder.stateDict(), { config: JSON.stringify({ kind: 'clip-tts-vocoder', vocoder: vocoder.config }) }));
  vocoder.dispose();
  writeFileSync(join(voiceDir, 'voice.json'), JSON.stringify({
    format: 'clip-tts-voice', version: 1, name, language: 'en', description: 'tiny random test voice', sampleRate: 22050,
    acoustic: 'acoustic.safetensors', vocoder: 'vocoder.safetensors', license: 'CC0', training: { note: 'random weights (tests)' },
  }, null, 2));
  return voiceDir;
}
