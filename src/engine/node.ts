/**
 * Node-only engine entry (`clip-tts/engine/node` once exported): checkpoint files on disk.
 * Everything else is in the browser-safe `./index.js`, re-exported here for convenience.
 */
export * from './index.js';
export {
  saveCheckpoint, loadCheckpoint, loadInto, writeFileAtomic, configPathFor,
  type SaveCheckpointOptions, type LoadedCheckpoint,
} from './checkpoint.js';
