/**
 * Graceful shutdown on SIGTERM / SIGINT: the server stops accepting connections and finishes the
 * requests it admitted (SpeechServer.close); a second signal cuts the remaining connections.
 */
import type { SpeechServer } from './server.js';

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  log?: (line: string) => void;
}

/** Resolves with the signal once the server has closed after it. */
export function closeOnSignal(server: SpeechServer, options: ShutdownOptions = {}): Promise<NodeJS.Signals> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const log = options.log ?? (() => {});
  return new Promise((resolve, reject) => {
    let received: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        log(`${signal} again: cutting ${server.activeRequests} open request(s)`);
        server.http.closeAllConnections();
        return;
      }
      received = signal;
      const closed = server.close(); // stops listening synchronously: the log line below means it
      log(`${signal}: no new connections; finishing ${server.activeRequests} request(s) in flight`);
      closed.then(() => {
        for (const s of signals) process.off(s, onSignal);
        resolve(signal);
      }, reject);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
