/** The audio API plus its Node-only file helpers (WAV files, PNG encoding). Browsers import ./index.js. */
export * from './index.js';
export { readWavFile, writeWavFile } from './wav-file.js';
export { encodePng, writePngFile, crc32 } from './png.js';
