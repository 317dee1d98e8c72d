import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, manualSeed, shutdownEngine } from '../../src/engine/index.js';
import { readLog, train } from '../../src/train/trainer.js';
import { ToyModel, toyTask } from './toy-task.js';

before(async () => { await initEngine({ threads: 1 }); });
after(async () => { await shutdownEngine(); });

function weights(model: ToyModel): number[] {
  return model.parameters().flatMap((p) => Array.from(p.toArray()));
}

test('trainer: loss falls, logs, loss curve and checkpoint are written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-tts-train-'));
  try {
    manualSeed(1);
    const model = new ToyModel();
    const r = await train(toyTask(model), { outDir: dir, maxSteps: 60, quiet: true, logEvery: 10, validateEvery: 30, checkpointEvery: 30 });
    assert.equal(r.step, 60);
    const log = readLog(dir).filter((x) => x.kind === 'train');
    assert.equal(log.length, 6);
    assert.ok(Number(log[5]!.loss) < Number(log[0]!.loss) / 2, `loss should fall: ${log.map((x) => Number(x.loss).toFixed(3)).join(' ')}`);
    assert.ok(readLog(dir).some((x) => x.kind === 'val'));
    assert.ok(existsSync(join(dir, 'checkpoint.safetensors')) && existsSync(join(dir, 'checkpoint.json')));
    assert.deepEqual([...readFileSync(join(dir, 'loss.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp files left');
    await assert.rejects(train(toyTask(new ToyModel()), { outDir: dir, maxSteps: 10, quiet: true }), /--resume/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trainer: a run killed with SIGKILL resumes to exactly the uninterrupted result', async () => {
  const straight = mkdtempSync(join(tmpdir(), 'clip-tts-train-a-'));
  const killed = mkdtempSync(join(tmpdir(), 'clip-tts-train-b-'));
  const child = join(import.meta.dirname, 'trainer-child.js');
  try {
    // Uninterrupted: 23 steps in one process (killAt beyond the end).
    let r = spawnSync(process.execPath, [child, straight, '999', '23'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // Killed at step 13 (last checkpoint at step 10), then resumed to 23.
    r = spawnSync(process.execPath, [child, killed, '13', '23'], { encoding: 'utf8' });
    assert.equal(r.signal, 'SIGKILL', `child should have been killed: ${r.stderr}`);
    r = spawnSync(process.execPath, [child, killed, '999', '23'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const a = new ToyModel(), b = new ToyModel();
    const { loadCheckpoint } = await import('../../src/engine/node.js');
    for (const [model, dir] of [[a, straight], [b, killed]] as const) {
      const ck = await loadCheckpoint(join(dir, 'checkpoint.safetensors'));
      const sd = new Map([...ck.tensors].filter(([k]) => k.startsWith('model.')).map(([k, t]) => [k.slice(6), t]));
      model.loadStateDict(sd);
      assert.equal(JSON.parse(ck.metadata.trainer!).step, 23);
    }
    assert.deepEqual(weights(b), weights(a), 'resumed weights must equal the uninterrupted run bit for bit');
    assert.ok(readLog(killed).some((x) => x.kind === 'resume' && x.step === 10));
  } finally {
    rmSync(straight, { recursive: true, force: true });
    rmSync(killed, { recursive: true, force: true });
  }
});
