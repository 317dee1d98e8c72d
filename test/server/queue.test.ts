// SynthesisQueue: one job at a time, bounded admission, cancellation while waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SynthesisQueue } from '../../src/server/index.js';

/** A promise the test settles by hand. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

test('jobs run one at a time, in admission order', async () => {
  const q = new SynthesisQueue(4);
  const never = new AbortController().signal;
  const gates = [deferred(), deferred(), deferred()];
  const order: string[] = [];
  let running = 0, maxRunning = 0;
  const results = gates.map((g, i) => q.tryRun(async () => {
    running++; maxRunning = Math.max(maxRunning, running);
    order.push(`start ${i}`);
    await g.promise;
    order.push(`end ${i}`);
    running--;
    return i;
  }, never)!);
  assert.equal(q.size, 3);
  assert.equal(q.waitingCount, 2);
  gates[2]!.resolve(); gates[1]!.resolve(); gates[0]!.resolve();
  assert.deepEqual(await Promise.all(results), [0, 1, 2]);
  assert.equal(maxRunning, 1);
  assert.deepEqual(order, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  assert.equal(q.size, 0);
});

test('admits at most `capacity` jobs; a settled job frees its place, failures included', async () => {
  const q = new SynthesisQueue(2);
  const never = new AbortController().signal;
  const a = deferred(), b = deferred();
  const ra = q.tryRun(() => a.promise, never)!;
  const rb = q.tryRun(() => b.promise, never)!;
  assert.equal(q.tryRun(async () => 'refused', never), null);
  a.reject(new Error('boom'));
  await assert.rejects(ra, /boom/);
  const rc = q.tryRun(async () => 'c', never);
  assert.ok(rc, 'a place is free again');
  b.resolve();
  await rb;
  assert.equal(await rc, 'c');
  await q.whenIdle();
  assert.ok(Number.isInteger(q.retryAfterSeconds()) && q.retryAfterSeconds() >= 1);
});

test('a job aborted while waiting never runs and frees its place; whenIdle waits for the running one', async () => {
  const q = new SynthesisQueue(2);
  const gate = deferred();
  const first = q.tryRun(() => gate.promise, new AbortController().signal)!;
  const abort = new AbortController();
  let ran = false;
  const second = q.tryRun(async () => { ran = true; }, abort.signal)!;
  abort.abort(new Error('gave up'));
  await assert.rejects(second, /gave up/);
  assert.equal(q.size, 1);
  let idle = false;
  const whenIdle = q.whenIdle().then(() => { idle = true; });
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, false);
  gate.resolve();
  await first;
  await whenIdle;
  assert.equal(ran, false);
  assert.equal(q.size, 0);
});

test('capacity must be a positive integer', () => {
  assert.throws(() => new SynthesisQueue(0), RangeError);
  assert.throws(() => new SynthesisQueue(1.5), RangeError);
});
