/** Text → speech: the ClipTTS pipeline, voices, streaming and timestamps (Node). */
export { ClipTTS, type LoadOptions, type PipelineOptions } from './clip-tts.js';
export { toWav } from './wav.js';
export { resolveSynthesisOptions, DEFAULT_SENTENCE_SILENCE, DEFAULT_EDGE_SILENCE, type SynthesisOptions, type ResolvedSynthesisOptions } from './options.js';
export type { SynthesisChunk, SynthesisResult, PhonemeTiming, WordTiming } from './types.js';
export type { WaveformVocoder } from './render.js';
export { parseVoiceConfig, readVoiceConfig, VoiceFormatError, VOICE_FORMAT, VOICE_VERSION, VOICE_CONFIG_FILE, type VoiceConfig } from './voice.js';
export { listVoices, resolveVoice, bundledVoicesDir, voiceSearchDirs, DEFAULT_VOICE, type VoiceListing, type ResolvedVoice } from './voice-registry.js';
export { downloadVoice, isVoiceUrl, type DownloadedVoice } from './voice-fetch.js';
export { exportVoice, exportVocoder, VOICE_SIZE_BUDGET_BYTES, type ExportVoiceOptions, type ExportedVoice } from './export-voice.js';
