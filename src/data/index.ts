/** Datasets and feature preparation: readers, `prepareDataset`, the feature cache and the training loader. */
export * from './types.js';
export { readDataset, detectDatasetFormat, isDatasetFormat, readLJSpeech, readBaker, readAishell3, readLibriTTS, readEsd, readCsvDataset } from './readers/index.js';
export { prepareDataset, formatReport, PrepareError, seededShuffle, mulberry32, type PrepareOptions, type PrepareResult, type ValidationReport } from './prepare.js';
export { readManifest, ManifestError, type FeatureManifest, type ManifestItem, type FeatureStats } from './manifest.js';
export { decodeCachedItem, encodeCachedItem, readCachedItemHeader, CacheError, type CachedItem, type CachedItemHeader, type MelDtype } from './cache.js';
export { FeatureLoader, type Batch, type LoaderOptions } from './loader.js';
export { trimSilence, clippedFraction, FeatureExtractor, type UtteranceFeatures } from './features.js';
export { phonemizeItem, type ItemPhonemes } from './text.js';
