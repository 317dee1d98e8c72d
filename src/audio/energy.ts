/**
 * Frame-level energy as FastSpeech 2 uses it: the L2 norm of each STFT magnitude frame
 * (same frames as the mel spectrogram). Browser-safe.
 */
import { RealFFT } from './fft.js';
import { forEachWindowedFrame, resolveStftConfig, stftFrameCount, type MagnitudeSpectrogram, type StftConfig } from './stft.js';

/**
 * Energy per frame: sqrt(sum_k |X_t(k)|^2). Same frame count and alignment as `logMelSpectrogram` with the same STFT settings.
 * @example
 *   const energy = frameEnergy(samples, { nFft: 1024, hopLength: 256 }); // energy.length === mel.frames
 */
export function frameEnergy(signal: ArrayLike<number>, config: StftConfig): Float32Array {
  const c = resolveStftConfig(config);
  const fft = new RealFFT(c.nFft);
  const out = new Float32Array(stftFrameCount(signal.length, c));
  const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins);
  forEachWindowedFrame(signal, c, (t, frame) => {
    fft.forward(frame, re, im);
    let sum = 0;
    for (let k = 0; k < fft.bins; k++) sum += re[k]! * re[k]! + im[k]! * im[k]!;
    out[t] = Math.sqrt(sum);
  });
  return out;
}

/** Energy per frame from a magnitude (power 1) spectrogram. */
export function energyFromMagnitude(spec: MagnitudeSpectrogram): Float32Array {
  const out = new Float32Array(spec.frames);
  for (let t = 0; t < spec.frames; t++) {
    let sum = 0;
    for (let k = 0; k < spec.bins; k++) { const m = spec.data[t * spec.bins + k]!; sum += m * m; }
    out[t] = Math.sqrt(sum);
  }
  return out;
}
