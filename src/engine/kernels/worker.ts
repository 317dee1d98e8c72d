/**
 * Kernel worker entry (Node worker_threads or a browser module Worker). Instantiates the kernel
 * module on the shared memory, replies 'ready', then serves dispatches from the control block
 * forever (see pool.ts for the protocol). The serve loop is synchronous: a worker never needs its
 * event loop after start-up, and the pool terminates it.
 */
import { CTL, CTL_ARGS_BYTE, CTL_ERROR_TEXT_BYTE, CTL_ERROR_TEXT_CHARS, type WorkerInit, type WorkerReply } from './pool.js';
import { instantiateKernels, kernelNames } from './load.js';

type KernelFn = (...args: number[]) => number | void;

function serve(init: WorkerInit, fns: KernelFn[]): void {
  const c = new Int32Array(init.memory.buffer, init.ctl, CTL_ERROR_TEXT_BYTE / 4);
  const args64 = new Float64Array(init.memory.buffer, init.ctl + CTL_ARGS_BYTE, 32);
  const text = new Uint16Array(init.memory.buffer, init.ctl + CTL_ERROR_TEXT_BYTE, CTL_ERROR_TEXT_CHARS);
  const tid = init.tid;
  // Not Atomics.load here: the caller may dispatch as soon as 'ready' arrives, before this line runs.
  let seen = init.seq;
  for (;;) {
    let seq = Atomics.load(c, CTL.SEQ);
    for (let i = 0; seq === seen && i < init.spin; i++) seq = Atomics.load(c, CTL.SEQ);
    while (seq === seen) {
      Atomics.wait(c, CTL.SEQ, seen);
      seq = Atomics.load(c, CTL.SEQ);
    }
    seen = seq;
    if (Atomics.load(c, CTL.SHUTDOWN)) return;
    const nthreads = c[CTL.NTHREADS]!;
    if (tid < nthreads) {
      const fn = fns[c[CTL.KERNEL]!];
      const argc = c[CTL.ARGC]!;
      const args = new Array<number>(argc + 2);
      for (let i = 0; i < argc; i++) args[i] = args64[i]!;
      args[argc] = tid;
      args[argc + 1] = nthreads;
      try {
        if (!fn) throw new Error(`unknown kernel id ${c[CTL.KERNEL]}`);
        fn(...args);
      } catch (e) {
        // First failing worker wins the slot and writes its message; the caller throws it.
        if (Atomics.compareExchange(c, CTL.ERROR, 0, tid + 1) === 0) {
          const msg = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, CTL_ERROR_TEXT_CHARS);
          for (let i = 0; i < msg.length; i++) text[i] = msg.charCodeAt(i);
          Atomics.store(c, CTL.ERROR_LEN, msg.length);
        }
      }
    }
    Atomics.add(c, CTL.DONE, 1);
    Atomics.notify(c, CTL.DONE);
  }
}

async function start(init: WorkerInit, reply: (m: WorkerReply) => void): Promise<void> {
  let fns: KernelFn[];
  try {
    const exports = await instantiateKernels(init.module, init.memory);
    fns = kernelNames(init.module).map((n) => exports[n]!);
  } catch (e) {
    reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  reply({ type: 'ready' });
  serve(init, fns);
}

const nodeVersion = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
if (typeof nodeVersion === 'string') {
  const wt = await import('node:worker_threads');
  const port = wt.parentPort;
  if (!port) throw new Error('worker.js is a kernel worker entry, not a script to run directly');
  await start(wt.workerData as WorkerInit, (m) => port.postMessage(m));
} else {
  const scope = globalThis as unknown as { onmessage: ((ev: MessageEvent<WorkerInit>) => void) | null; postMessage(m: WorkerReply): void };
  scope.onmessage = (ev) => {
    scope.onmessage = null;
    void start(ev.data, (m) => scope.postMessage(m));
  };
}
