/** Worker-thread entry of `prepareDataset`: receives ItemTasks, answers ItemResults. */
import { parentPort, workerData } from 'node:worker_threads';
import { ItemProcessor, type ItemSettings, type ItemTask, type ItemResult } from './process-item.js';

if (!parentPort) throw new Error('prepare-worker.js must run in a worker thread');
const port = parentPort;
const processor = new ItemProcessor(workerData as ItemSettings);
port.on('message', (task: ItemTask) => {
  let result: ItemResult;
  try {
    result = processor.process(task);
  } catch (e) {
    // A bug or an I/O failure (disk full): report it against the item instead of killing the run.
    result = { index: task.index, ok: false, issue: { code: 'internal-error', severity: 'error', where: task.item.wavPath, id: task.item.id, message: `internal error: ${(e as Error).stack ?? String(e)}` } };
  }
  port.postMessage(result);
});
