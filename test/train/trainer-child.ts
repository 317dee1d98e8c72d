// Child process for the kill -9 test: trains the toy task and SIGKILLs itself at a given step.
import { initEngine, manualSeed } from '../../src/engine/index.js';
import { train } from '../../src/train/trainer.js';
import { ToyModel, toyTask } from './toy-task.js';

const [outDir, killAt, maxSteps] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
await initEngine({ threads: 1 });
manualSeed(42);
const model = new ToyModel();
await train(toyTask(model), {
  outDir, maxSteps, resume: true, quiet: true, checkpointEvery: 5, logEvery: 5, validateEvery: 10,
  onStep: (step) => { if (step === killAt) process.kill(process.pid, 'SIGKILL'); },
});
