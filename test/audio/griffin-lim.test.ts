import { test } from 'node:test';
import assert from 'node:assert/strict';
import { griffinLim, griffinLimFromMel, melToMagnitude } from '../../src/audio/griffin-lim.js';
import { logMelSpectrogram, MelExtractor } from '../../src/audio/mel.js';
import { magnitudeSpectrogram } from '../../src/audio/stft.js';
import { harmonicTone, melDistance } from './helpers.js';

const SR = 22050;
const STFT = { nFft: 1024, hopLength: 256 };
const x = harmonicTone((t) => 150 + 200 * t, SR, 0.5, 10);
const mel = logMelSpectrogram(x);


test('melToMagnitude: the estimated linear spectrogram maps back onto the input mel', () => {
  const mag = melToMagnitude(mel);
  assert.equal(mag.frames, mel.frames);
  assert.equal(mag.bins, 513);
  assert.ok(mag.data.every((v) => v >= 0));
  const back = new MelExtractor().fromMagnitude(mag);
  const d = melDistance(mel.data, back.data);
  console.log(`# mel -> linear -> mel mean abs diff (energetic bins): ${d.toFixed(4)}`);
  assert.ok(d < 0.05, `${d}`);
});

test('Griffin-Lim: spectral convergence improves with iterations; output log-mel is close to the input', () => {
  const sc: number[] = [];
  const target = magnitudeSpectrogram(x, STFT);
  griffinLim(target, STFT, { iterations: 32, onIteration: (_, s) => sc.push(s) });
  assert.equal(sc.length, 32);
  assert.ok(sc[31]! < sc[3]! && sc[3]! < sc[0]!, `spectral convergence ${sc[0]} -> ${sc[3]} -> ${sc[31]}`);
  assert.ok(sc[31]! < 0.15, `final spectral convergence ${sc[31]}`);

  const few = griffinLimFromMel(mel, {}, { iterations: 2 });
  const many = griffinLimFromMel(mel, {}, { iterations: 32 });
  assert.equal(many.length, (mel.frames - 1) * 256);
  const dFew = melDistance(mel.data, logMelSpectrogram(few).data);
  const dMany = melDistance(mel.data, logMelSpectrogram(many).data);
  console.log(`# Griffin-Lim: spectral convergence ${sc[0]!.toFixed(3)} (1 it) -> ${sc[31]!.toFixed(3)} (32 it); log-mel distance ${dFew.toFixed(3)} (2 it) -> ${dMany.toFixed(3)} (32 it)`);
  assert.ok(dMany < dFew, `${dMany} !< ${dFew}`);
  assert.ok(dMany < 0.35, `log-mel distance ${dMany}`);
  // Deterministic for a given seed.
  assert.deepEqual(Array.from(griffinLimFromMel(mel, {}, { iterations: 2 }).subarray(0, 50)), Array.from(few.subarray(0, 50)));
});
