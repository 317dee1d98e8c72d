import { delimiter } from 'node:path';
import { flagNumber, flagString, parseArgs, UsageError, type Command, type ParsedArgs, rejectUnknownFlags, flagPositiveInt } from '../command.js';
import { ClipTTSService, type ClipTTSServiceOptions } from '../../server/clip-tts-service.js';
import { SpeechServer, DEFAULT_SERVER_LIMITS, type SpeechServerOptions } from '../../server/server.js';
import { closeOnSignal } from '../../server/shutdown.js';

const KNOWN_FLAGS = ['port', 'host', 'voices', 'voice', 'max-chars', 'max-body', 'timeout', 'queue', 'cors', 'threads', 'quiet'];

/** `clip-tts serve`: the HTTP server (OpenAI-compatible speech endpoint + web page). */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'HTTP server: OpenAI-compatible POST /v1/audio/speech (streamed), GET /v1/voices, a web page at /',
  help: `Usage: clip-tts serve [--port 8080] [--host 127.0.0.1] [--voices DIR] [options]

Serves speech over HTTP until SIGTERM or Ctrl-C (which stop new connections, let the requests in
flight finish, and exit 0). Endpoints: POST /v1/audio/speech (OpenAI body; wav, pcm or json),
GET /v1/voices, GET /health, and a web page at / to try voices. See docs/server.md.

Options:
  --port N          TCP port (default 8080; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1: this machine only; 0.0.0.0 exposes it)
  --voices DIR      serve the voices in DIR: a folder of voice folders, or one voice folder
                    (several: separated by "${delimiter}"). Default: the bundled voices
  --voice NAME      voice for requests that name none (default en-slt, else the first served)
  --max-chars N     longest "input" in characters; longer → 413 (default ${DEFAULT_SERVER_LIMITS.maxChars})
  --max-body BYTES  largest request body; larger → 413 (default ${DEFAULT_SERVER_LIMITS.maxBodyBytes})
  --timeout SEC     per-request deadline: queue wait + synthesis; past it → 504 (default ${DEFAULT_SERVER_LIMITS.timeoutMs / 1000})
  --queue N         requests admitted at once (one synthesizes, the rest wait); more → 429 (default ${DEFAULT_SERVER_LIMITS.queueCapacity})
  --cors ORIGIN     allow cross-origin requests from ORIGIN ("*" for any); off by default
  --threads N       engine threads (default 2, or CLIP_TTS_THREADS)
  --quiet           no per-request log lines

Example:
  clip-tts serve --port 8080
  curl -s localhost:8080/v1/audio/speech -H 'Content-Type: application/json' \\
       -d '{"model":"clip-tts","input":"Hello there.","voice":"en-slt"}' -o hello.wav`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, ['quiet']);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    const port = flagNumber(args, 'port') ?? 8080;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${port}`);
    const host = flagString(args, 'host') ?? '127.0.0.1';
    const timeoutSeconds = flagNumber(args, 'timeout');
    if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got ${timeoutSeconds}`);
    const log = (line: string): void => { process.stderr.write(`clip-tts serve: ${line}\n`); };

    const serviceOptions: ClipTTSServiceOptions = { log };
    const voices = flagString(args, 'voices');
    if (voices !== undefined) serviceOptions.voiceDirs = voices.split(delimiter).filter(Boolean);
    const defaultVoice = flagString(args, 'voice');
    if (defaultVoice !== undefined) serviceOptions.defaultVoice = defaultVoice;
    const threads = flagPositiveInt(args, 'threads');
    if (threads !== undefined) serviceOptions.threads = threads;

    const serverOptions: Omit<SpeechServerOptions, 'service'> = {};
    const maxChars = flagPositiveInt(args, 'max-chars'), maxBody = flagPositiveInt(args, 'max-body'), queue = flagPositiveInt(args, 'queue');
    if (maxChars !== undefined) serverOptions.maxChars = maxChars;
    if (maxBody !== undefined) serverOptions.maxBodyBytes = maxBody;
    if (queue !== undefined) serverOptions.queueCapacity = queue;
    if (timeoutSeconds !== undefined) serverOptions.timeoutMs = Math.max(1, Math.round(timeoutSeconds * 1000));
    const cors = flagString(args, 'cors');
    if (cors !== undefined) serverOptions.corsOrigin = cors;
    if (args.flags.get('quiet') !== true) serverOptions.log = log;

    const service = await ClipTTSService.load(serviceOptions);
    try {
      const server = new SpeechServer({ ...serverOptions, service });
      await server.listen(port, host);
      const names = service.voices().map((v) => (v.name === service.defaultVoice ? `${v.name} (default)` : v.name));
      // stdout carries exactly this line, so scripts (and tests) can read the address.
      console.log(`clip-tts serve: listening on ${server.url} (voices: ${names.join(', ')})`);
      if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') log(`bound to ${host}: reachable from other machines (no authentication)`);
      const signal = await closeOnSignal(server, { log });
      log(`stopped (${signal})`);
      return 0;
    } finally {
      await service.close();
    }
  },
};
