/**
 * Retrieval evaluation of a Speech-Clip model: embed every utterance of a split on both sides,
 * rank all mels for each text (text→mel) and all texts for each mel (mel→text) by cosine
 * similarity, and report recall at 1 and 5 (chance: k/N). Also renders the N×N similarity matrix.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, tidy } from '../../engine/index.js';
import { loadCheckpoint } from '../../engine/node.js';
import { FeatureLoader } from '../../data/loader.js';
import { batchToTensors } from '../../data/to-tensors.js';
import { viridis, type RgbImage } from '../../audio/plot.js';
import { parseSpeechClipConfig, SpeechClipConfigError, type SpeechClipConfig, type SpeechClipDataConfig } from './config.js';
import { SpeechClip } from './model.js';

/** Embeddings of N utterances, row-major [N, P], rows unit-norm; row i of both is utterance i. */
export interface SplitEmbeddings {
  ids: string[];
  dim: number;
  text: Float32Array;
  mel: Float32Array;
}

export interface RetrievalMetrics {
  t2m_r1: number;
  t2m_r5: number;
  m2t_r1: number;
  m2t_r5: number;
  n: number;
}

/** Embeds every item of `loader` (use a non-shuffled loader) with the model in eval mode. */
export async function embedSplit(model: SpeechClip, loader: FeatureLoader): Promise<SplitEmbeddings> {
  const wasTraining = model.training;
  model.eval();
  const ids: string[] = [], text: Float32Array[] = [], mel: Float32Array[] = [];
  let dim = 0;
  try {
    for await (const batch of loader.batches(0)) {
      // Typed arrays are copied out of the arena inside the scope (tidy keeps only tensors).
      tidy(() => noGrad(() => {
        const t = batchToTensors(batch);
        const te = model.embedText(t.phonemes, t.phonemeMask);
        const me = model.embedMel(t.mels, t.melMask, t.speakers, t.emotions);
        text.push(te.toFloat32Array());
        mel.push(me.toFloat32Array());
        dim = te.shape[1]!;
      }));
      ids.push(...batch.ids);
    }
  } finally {
    model.train(wasTraining);
  }
  const join2 = (parts: Float32Array[]): Float32Array => {
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    return all;
  };
  return { ids, dim, text: join2(text), mel: join2(mel) };
}

/** Cosine similarities S[i, j] = text_i · mel_j, [N, N] row-major. */
export function similarityMatrix(e: SplitEmbeddings): Float32Array {
  const n = e.ids.length, p = e.dim;
  const s = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < p; k++) dot += e.text[i * p + k]! * e.mel[j * p + k]!;
      s[i * n + j] = dot;
    }
  }
  return s;
}

/**
 * Recall@1/@5 in both directions from a similarity matrix (rows: texts, columns: mels; the match
 * of row i is column i). Rank = number of candidates scoring strictly higher than the match, so
 * ties count in the query's favour only when exact (cosines of distinct utterances rarely tie).
 */
export function retrievalMetrics(sim: Float32Array, n: number): RetrievalMetrics {
  let t1 = 0, t5 = 0, m1 = 0, m5 = 0;
  for (let i = 0; i < n; i++) {
    const target = sim[i * n + i]!;
    let rowRank = 0, colRank = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (sim[i * n + j]! > target) rowRank++;
      if (sim[j * n + i]! > target) colRank++;
    }
    if (rowRank < 1) t1++;
    if (rowRank < 5) t5++;
    if (colRank < 1) m1++;
    if (colRank < 5) m5++;
  }
  const r = (x: number): number => Number((x / Math.max(n, 1)).toFixed(4));
  return { t2m_r1: r(t1), t2m_r5: r(t5), m2t_r1: r(m1), m2t_r5: r(m5), n };
}

/**
 * The similarity matrix as an image: viridis colours over [min, max], `cell` pixels per entry,
 * texts down, mels across (a bright diagonal = good retrieval).
 */
export function renderSimilarityImage(sim: Float32Array, n: number, cell = Math.max(1, Math.floor(400 / Math.max(n, 1)))): RgbImage {
  let lo = Infinity, hi = -Infinity;
  for (const v of sim) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi > lo ? hi - lo : 1;
  const width = n * cell, height = n * cell;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [r, g, b] = viridis((sim[i * n + j]! - lo) / span);
      for (let y = i * cell; y < (i + 1) * cell; y++) {
        for (let x = j * cell; x < (j + 1) * cell; x++) {
          const o = (y * width + x) * 3;
          rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b;
        }
      }
    }
  }
  return { width, height, rgb };
}

/** A trainer run's saved config: the model config plus the data sizes it was built for. */
export type SpeechClipRunConfig = SpeechClipConfig & { data: SpeechClipDataConfig };

/** Splits a saved run config into the validated model config and the data sizes. */
export function parseRunConfig(json: unknown): SpeechClipRunConfig {
  if (typeof json !== 'object' || json === null) throw new SpeechClipConfigError('checkpoint config is missing or not an object');
  const { data, ...rest } = json as Record<string, unknown>;
  const d = data as Partial<SpeechClipDataConfig> | undefined;
  if (!d || typeof d.vocabSize !== 'number' || typeof d.nMels !== 'number') throw new SpeechClipConfigError('checkpoint config has no "data" sizes (vocabSize, nMels): not a speech-clip run?');
  const config = parseSpeechClipConfig(rest);
  return { ...config, data: { vocabSize: d.vocabSize, nMels: d.nMels, speakers: d.speakers ?? 0, emotions: d.emotions ?? 0 } };
}

/**
 * Rebuilds a model from a checkpoint: a trainer run folder's `checkpoint.safetensors` (tensors
 * under "model.") or a bare model file, with its config JSON beside it.
 */
export async function loadSpeechClip(checkpointPath: string): Promise<{ model: SpeechClip; config: SpeechClipRunConfig }> {
  const path = existsSync(join(checkpointPath, 'checkpoint.safetensors')) ? join(checkpointPath, 'checkpoint.safetensors') : checkpointPath;
  const ck = await loadCheckpoint(path);
  const config = parseRunConfig(ck.config);
  const model = new SpeechClip(config, config.data);
  const hasPrefix = [...ck.tensors.keys()].some((k) => k.startsWith('model.'));
  const weights = new Map([...ck.tensors].filter(([k]) => !hasPrefix || k.startsWith('model.')).map(([k, t]) => [hasPrefix ? k.slice(6) : k, t]));
  try {
    model.loadStateDict(weights);
  } finally {
    for (const t of ck.tensors.values()) t.dispose();
  }
  model.eval();
  return { model, config };
}

export interface EvaluationResult extends RetrievalMetrics {
  /** [N, N] cosine similarities (texts × mels). */
  similarity: Float32Array;
  ids: string[];
}

/** Retrieval on a split of a features folder (default: the validation split). */
export async function evaluateRetrieval(model: SpeechClip, featuresDir: string, opts: { split?: 'train' | 'val' | 'all'; batchSize?: number; maxBatchFrames?: number } = {}): Promise<EvaluationResult> {
  const split = opts.split ?? 'val';
  // A frame budget bounds attention memory (see SpeechClipTrainingConfig.maxBatchFrames).
  const frameBudget = opts.maxBatchFrames ?? model.config.training.maxBatchFrames;
  const loader = FeatureLoader.open(featuresDir, { split, batchSize: opts.batchSize ?? 16, shuffle: false, bucketBatches: 0, frameBudget });
  if (loader.items.length < 2) throw new Error(`${featuresDir}: the ${opts.split ?? 'val'} split has ${loader.items.length} utterance(s); retrieval needs at least 2`);
  const e = await embedSplit(model, loader);
  const similarity = similarityMatrix(e);
  return { ...retrievalMetrics(similarity, e.ids.length), similarity, ids: e.ids };
}

/** The evaluation as a printable table (chance = k/N). */
export function formatRetrievalTable(m: RetrievalMetrics): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(7);
  const chance1 = pct(1 / m.n), chance5 = pct(Math.min(1, 5 / m.n));
  return [
    `retrieval over ${m.n} utterances`,
    `direction     R@1      R@5`,
    `text→mel  ${pct(m.t2m_r1)}  ${pct(m.t2m_r5)}`,
    `mel→text  ${pct(m.m2t_r1)}  ${pct(m.m2t_r5)}`,
    `chance    ${chance1}  ${chance5}`,
  ].join('\n');
}
