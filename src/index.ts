/**
 * clip-tts: text-to-speech that trains and runs on CPU, offline.
 *
 * @example
 *   import { ClipTTS, toWav } from 'clip-tts';
 *   const tts = await ClipTTS.load();
 *   const { audio, sampleRate } = await tts.synthesize('Hello from ClipTTS.');
 *   writeFileSync('hello.wav', toWav(audio, sampleRate));
 *
 * The engine, audio and text layers have their own entry points: `clip-tts/engine`,
 * `clip-tts/audio`, `clip-tts/text` (and `clip-tts/synth`, the same exports as here).
 */
export * from './synth/index.js';
export { initEngine, shutdownEngine, type EngineOptions } from './engine/index.js';
