// Graceful shutdown of a real server process: SIGTERM/SIGINT stop new connections, the request in
// flight finishes with all its audio, and the process exits 0 by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CHUNK_SAMPLES } from './fake-service.js';
import { bytesOf, postSpeech, probeFreshConnection } from './helpers.js';

const CHILD = fileURLToPath(new URL('./serve-fake-child.js', import.meta.url));

type ServerChild = ChildProcessByStdio<Writable, Readable, null>;
type ChildEvent = { event: string; [key: string]: unknown };

/** The child's stdout events, awaited in order by predicate. */
class EventLog {
  private readonly events: ChildEvent[] = [];
  private readonly waiters: { match: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }[] = [];
  private cursor = 0;
  constructor(child: ServerChild) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as ChildEvent;
      this.events.push(e);
      this.flush();
    });
  }
  /** The next event (after the last one returned) that matches. */
  next(match: (e: ChildEvent) => boolean): Promise<ChildEvent> {
    return new Promise((resolve) => { this.waiters.push({ match, resolve }); this.flush(); });
  }
  private flush(): void {
    while (this.waiters.length) {
      const w = this.waiters[0]!;
      const i = this.events.findIndex((e, k) => k >= this.cursor && w.match(e));
      if (i < 0) return;
      this.cursor = i + 1;
      this.waiters.shift();
      w.resolve(this.events[i]!);
    }
  }
}

function startChild(): { child: ServerChild; events: EventLog; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, events: new EventLog(child), exited };
}

test('SIGTERM: refuses new connections, finishes the request in flight, exits 0', async () => {
  const { child, events, exited } = startChild();
  try {
    const { url } = await events.next((e) => e.event === 'listening') as { url: string } & ChildEvent;
    const response = postSpeech(url, { input: 'First part. Second part.', response_format: 'pcm' });
    await events.next((e) => e.event === 'waiting');
    child.kill('SIGTERM');
    await events.next((e) => e.event === 'log' && /^SIGTERM/.test(String(e.line)));
    assert.equal(await probeFreshConnection(url), 'ECONNREFUSED', 'no new connections during the drain');
    child.stdin.write('release 2\n');
    const res = await response;
    assert.equal(res.status, 200);
    assert.equal((await bytesOf(res)).length, 2 * CHUNK_SAMPLES * 2, 'the in-flight request got all its audio');
    const closed = await events.next((e) => e.event === 'closed');
    assert.equal(closed.signal, 'SIGTERM');
    assert.equal(closed.completed, 1);
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});

test('SIGINT on an idle server with an open keep-alive connection exits 0 promptly', async () => {
  const { child, events, exited } = startChild();
  try {
    const { url } = await events.next((e) => e.event === 'listening') as { url: string } & ChildEvent;
    const res = await fetch(`${url}/health`); // leaves a pooled keep-alive connection open
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    child.kill('SIGINT');
    assert.equal((await events.next((e) => e.event === 'closed')).signal, 'SIGINT');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});
