import { writeFileSync } from 'node:fs';
import { flagNumber, flagString, parseArgs, UsageError, type Command, rejectUnknownFlags } from '../command.js';
import { initEngine, shutdownEngine } from '../../engine/index.js';
import { encodePng } from '../../audio/png.js';
import { evaluateRetrieval, formatRetrievalTable, loadSpeechClip, renderSimilarityImage } from '../../models/speech-clip/evaluate.js';

const KNOWN_FLAGS = ['split', 'png', 'threads'];

/** `clip-tts eval-clip`: text→mel and mel→text retrieval of a Speech-Clip checkpoint. */
export const evalClipCommand: Command = {
  name: 'eval-clip',
  summary: 'Retrieval R@1/R@5 (text→mel, mel→text) of a Speech-Clip checkpoint',
  help: `Usage: clip-tts eval-clip CHECKPOINT FEATURES_DIR [--split val|train|all] [--png SIM.png] [--threads N]

Embeds every utterance of the split (default: validation) with both encoders, ranks all mels for
each text and all texts for each mel by cosine similarity, and prints a table; the last line is JSON:
  {"t2m_r1":…, "t2m_r5":…, "m2t_r1":…, "m2t_r5":…, "n":…}
Chance is 1/n for R@1 and 5/n for R@5.

Arguments:
  CHECKPOINT     a train-clip run folder or its checkpoint.safetensors (config JSON beside it)
  FEATURES_DIR   features from \`clip-tts prepare\` with the same symbol table

Options:
  --split S      which items (default val)
  --png FILE     also write the similarity matrix (texts down, mels across)
  --threads N    engine threads (default 2)

Example:
  clip-tts eval-clip runs/clip feat/slt`,

  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    rejectUnknownFlags(args, KNOWN_FLAGS);
    if (args.positional.length !== 2) throw new UsageError('expected CHECKPOINT and FEATURES_DIR');
    const [checkpoint, featuresDir] = args.positional as [string, string];
    const split = flagString(args, 'split') ?? 'val';
    if (split !== 'val' && split !== 'train' && split !== 'all') throw new UsageError(`--split must be val, train or all, got ${split}`);
    const png = flagString(args, 'png');
    await initEngine({ threads: flagNumber(args, 'threads') ?? 2 });
    try {
      const { model } = await loadSpeechClip(checkpoint);
      const r = await evaluateRetrieval(model, featuresDir, { split });
      if (png) writeFileSync(png, encodePng(renderSimilarityImage(r.similarity, r.n)));
      console.log(formatRetrievalTable(r));
      console.log(JSON.stringify({ t2m_r1: r.t2m_r1, t2m_r5: r.t2m_r5, m2t_r1: r.m2t_r1, m2t_r5: r.m2t_r5, n: r.n }));
      return 0;
    } finally {
      await shutdownEngine();
    }
  },
};
