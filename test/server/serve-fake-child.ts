// Child process for the shutdown test (not a test file itself): a real SpeechServer over a gated
// FakeSpeechService with the same signal handling as `clip-tts serve`. It reports on stdout, one
// JSON object per line ({"event": "listening" | "waiting" | "log" | "closed", ...}), and lets
// chunks through when stdin says "release N".
import { createInterface } from 'node:readline';
import { SpeechServer, closeOnSignal } from '../../src/server/index.js';
import { FakeSpeechService } from './fake-service.js';

const emit = (event: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(event)}\n`); };
const service = new FakeSpeechService();
service.gated = true;
const server = new SpeechServer({ service, log: (line) => emit({ event: 'log', line }) });
await server.listen(0);
emit({ event: 'listening', url: server.url });

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const m = /^release (\d+)$/.exec(line.trim());
  if (m) service.release(Number(m[1]));
});
service.onWaiting = () => emit({ event: 'waiting', yielded: service.yielded });

const signal = await closeOnSignal(server, { log: (line) => emit({ event: 'log', line }) });
emit({ event: 'closed', signal, completed: service.completed });
lines.close();
process.stdin.destroy();
// No process.exit: the process must end by itself once the server is closed (nothing left open).
process.exitCode = 0;
