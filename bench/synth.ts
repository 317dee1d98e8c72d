/**
 * End-to-end synthesis speed (not a test): text → WAV samples with a voice (default: the bundled
 * en-slt) over 24 fixed sentences written for this benchmark (not from the training corpus).
 *
 * For 1 and 2 engine threads, each in its own process (so pools and peak memory do not mix):
 *   - real-time factor = synthesis seconds / audio seconds, over all sentences (after one warm-up);
 *   - time to the first `stream()` chunk of a three-sentence paragraph (median of 5);
 *   - peak RSS of the process (process.resourceUsage().maxRSS), loading included.
 * The last line printed is one JSON object: {"rtf_1t", "rtf_2t", "first_chunk_ms" (2 threads),
 * "first_chunk_ms_1t", "peak_rss_mb" (the larger of the two), "audio_seconds", "sentences", "voice"}.
 *
 * Run: npm run build && node dist/bench/synth.js [--voice NAME|DIR] [--threads 1,2]
 */
import { fileURLToPath } from 'node:url';
import { ClipTTS, DEFAULT_VOICE, resolveVoice } from '../src/index.js';
import { runBenchChild } from './child.js';

export const BENCH_SENTENCES = [
  'The new library opens at nine tomorrow morning, right next to the bakery.',
  'Please turn left at the second traffic light and park behind the blue van.',
  'Our team finished the project two weeks ahead of schedule.',
  'She bought fresh tomatoes, a loaf of bread, and some cheese for lunch.',
  'The weather forecast promises sunshine for the whole weekend.',
  'Can you send me the report before the meeting starts?',
  'He practiced the piano every evening until his fingers were tired.',
  'A small boat drifted slowly across the quiet lake at sunset.',
  'The museum will display paintings from three different centuries.',
  'Remember to charge your phone before the long train ride.',
  'My grandmother grows roses, mint, and tall sunflowers in her garden.',
  'The pilot announced that we would land twenty minutes early.',
  'Students gathered in the hall to hear the visiting scientist speak.',
  'This recipe needs two cups of flour and a pinch of salt.',
  'The old bridge was closed for repairs during the summer.',
  'Would you like tea or coffee with your breakfast?',
  'A friendly dog followed us all the way back to the hotel.',
  'The concert was loud, crowded, and absolutely wonderful.',
  'Engineers tested the software on many different computers.',
  'We watched the stars from the hill behind the farmhouse.',
  'The children laughed when the clown dropped his hat.',
  'Check the tire pressure before you drive up the mountain road.',
  'Her speech about clean energy received a long round of applause.',
  'The shop on the corner sells maps, postcards, and umbrellas.',
];

const PARAGRAPH = 'Good morning, and welcome aboard. Our flight time today is about two hours. Please keep your seat belt fastened while seated.';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ChildReport { threads: number; rtf: number; first_chunk_ms: number; peak_rss_mb: number; audio_seconds: number }

async function child(voice: string, threads: number): Promise<void> {
  const tts = await ClipTTS.load(voice, { threads });
  await tts.synthesize(BENCH_SENTENCES[0]!); // warm-up (kernels, caches)
  let synthSeconds = 0, audioSeconds = 0;
  for (const s of BENCH_SENTENCES) {
    const t0 = performance.now();
    const r = await tts.synthesize(s);
    synthSeconds += (performance.now() - t0) / 1000;
    audioSeconds += r.duration;
  }
  const firsts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const it = tts.stream(PARAGRAPH);
    await it.next();
    firsts.push(performance.now() - t0);
    await it.return(undefined);
  }
  const report: ChildReport = {
    threads, rtf: synthSeconds / audioSeconds, first_chunk_ms: median(firsts),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024, audio_seconds: audioSeconds,
  };
  console.log(`threads ${threads}: RTF ${report.rtf.toFixed(4)} (${synthSeconds.toFixed(2)} s for ${audioSeconds.toFixed(1)} s of audio), ` +
    `first stream() chunk ${report.first_chunk_ms.toFixed(0)} ms, peak RSS ${report.peak_rss_mb.toFixed(0)} MB`);
  console.log(JSON.stringify(report));
  tts.dispose();
}

async function parent(): Promise<number> {
  const voice = arg('voice') ?? DEFAULT_VOICE;
  const threadList = (arg('threads') ?? '1,2').split(',').map(Number);
  const empty = { rtf_1t: null, rtf_2t: null, first_chunk_ms: null, first_chunk_ms_1t: null, peak_rss_mb: null };
  try {
    const v = resolveVoice(voice);
    console.log(`voice ${v.config.name} (${v.dir}), ${BENCH_SENTENCES.length} sentences`);
  } catch (e) {
    const reason = (e as Error).message;
    console.log(`synth bench skipped: ${reason}`);
    console.log(JSON.stringify({ ...empty, synth_skipped: reason }));
    return 0;
  }
  const reports = new Map<number, ChildReport>();
  for (const t of threadList) {
    const r = await runBenchChild<ChildReport>(fileURLToPath(import.meta.url), ['--voice', voice],
      { CLIP_TTS_SYNTH_BENCH_CHILD: String(t) }, `synth bench child (${t} threads)`);
    if (r) reports.set(t, r);
  }
  const round = (x: number | undefined, digits: number): number | null => (x === undefined ? null : Number(x.toFixed(digits)));
  const rss = [...reports.values()].map((r) => r.peak_rss_mb);
  console.log(JSON.stringify({
    rtf_1t: round(reports.get(1)?.rtf, 4),
    rtf_2t: round(reports.get(2)?.rtf, 4),
    first_chunk_ms: round(reports.get(2)?.first_chunk_ms ?? reports.get(1)?.first_chunk_ms, 1),
    first_chunk_ms_1t: round(reports.get(1)?.first_chunk_ms, 1),
    peak_rss_mb: rss.length ? Number(Math.max(...rss).toFixed(0)) : null,
    audio_seconds: round(reports.get(2)?.audio_seconds ?? reports.get(1)?.audio_seconds, 1),
    sentences: BENCH_SENTENCES.length,
    voice,
  }));
  return reports.size === threadList.length ? 0 : 1;
}

const childThreads = process.env.CLIP_TTS_SYNTH_BENCH_CHILD;
if (childThreads) await child(arg('voice') ?? DEFAULT_VOICE, Number(childThreads));
else process.exitCode = await parent();
