/** All typed kernel wrappers in one namespace (backend.ts imports this as `K`). */
export * from './elementwise.js';
export * from './reduce.js';
export * from './nn.js';
export * from './optim.js';
export * from './random.js';
