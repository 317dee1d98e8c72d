// AssemblyScript entry: every kernel file's exports. Pointers are byte offsets in the imported
// memory; every kernel ends with (tid: i32, nthreads: i32) and computes only its own share.
export * from './gemm';
export * from './conv';
export * from './elementwise';
export * from './reduce';
export * from './nn';
export * from './optim';
export * from './random';
export * from './shape';
export * from './vocos';
export * from './mel-refine';
