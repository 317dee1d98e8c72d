/**
 * ClipTTS audio front-end (browser-safe core): WAV codec, resampler, FFT/STFT, log-mel, pitch, energy,
 * silence trimming, peak / loudness normalisation, Griffin-Lim, .npy, mel image rendering. Node file helpers (readWavFile, writeWavFile, encodePng,
 * writePngFile) are exported from ./node.js, which re-exports this module too.
 */
export { decodeWav, encodeWav, WavError, type WavAudio, type WavSampleFormat, type DecodeWavOptions, type EncodeWavOptions } from './wav.js';
export { resample, Resampler, type ResampleOptions } from './resample.js';
export { RealFFT } from './fft.js';
export {
  stft, istft, magnitudeSpectrogram, hannWindow, stftWindow, stftFrameCount, resolveStftConfig, forEachWindowedFrame,
  type StftConfig, type Spectrogram, type MagnitudeSpectrogram,
} from './stft.js';
export {
  logMelSpectrogram, MelExtractor, melFilterbank, resolveMelConfig, parseMelConfigJson, melStftConfig, hzToMel, melToHz, melMajorFromFrames,
  DEFAULT_MEL_CONFIG, MelConfigError, type MelConfig, type MelSpectrogram, type MelFilterbank,
} from './mel.js';
export { frameEnergy, energyFromMagnitude } from './energy.js';
export { trimSilence, type TrimOptions } from './trim.js';
export { peakNormalize, peakDbfs, loudnessNormalize, integratedLoudness, kWeightingFilters, type Biquad } from './normalize.js';
export { estimatePitch, resolvePitchConfig, interpolateUnvoiced, averageByDurations, type PitchConfig } from './pitch.js';
export {
  griffinLim, griffinLimFromMel, melToMagnitude, spectralConvergence,
  type GriffinLimOptions, type MelInversionOptions,
} from './griffin-lim.js';
export { refineToMel, resolveMelRefineOptions, DEFAULT_REFINE_ITERATIONS, type MelRefineOptions } from './mel-refine.js';
export { encodeNpy, decodeNpy, NpyError, type NpyArray, type NpyData, type NpyDtype } from './npy.js';
export { renderMelImage, viridis, type RgbImage, type MelImageOptions } from './plot.js';
