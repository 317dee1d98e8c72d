/** ClipTTS HTTP server: OpenAI-compatible speech endpoint, voices, health, web page. See docs/server.md. */
export { SpeechServer, DEFAULT_SERVER_LIMITS, type ServerLimits, type SpeechServerOptions, type SpeechJsonResponse } from './server.js';
export { SynthesisQueue } from './queue.js';
export { closeOnSignal, type ShutdownOptions } from './shutdown.js';
export { ApiError, type ApiErrorBody, type ApiErrorType } from './errors.js';
export { parseSpeechRequest, isValidVoiceName, RESPONSE_FORMATS, SPEED_RANGE, PITCH_RANGE, type ResponseFormat, type SpeechRequest } from './speech-request.js';
export { toPcm16, wavHeader, melForDisplay, STREAMING_WAV_SIZE, type MelForDisplay } from './audio-encoding.js';
export { SpeechInputError, type SpeechService, type SpeechChunk, type SpeechOptions, type VoiceInfo, type WordTiming, type PhonemeTiming } from './types.js';
export { ClipTTSService, type ClipTTSServiceOptions } from './clip-tts-service.js';
