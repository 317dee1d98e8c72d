/**
 * Deterministic synthetic speech-like test set with known F0, for the pitch tracker's accuracy test and
 * table (docs/audio.md). Not a test file itself.
 *
 * Each utterance alternates silence, voiced and unvoiced segments:
 *   silence 150 ms | voiced | fricative | voiced | silence 100 ms | voiced | silence 150 ms
 * - voiced: Rosenberg glottal pulses (opening 40 %, closing 16 % of the period), differentiated (lip
 *   radiation), through three formant resonators (a vowel drawn per segment). F0 contour = base F0 x a slow
 *   declination x (1 + depth sin(2 pi rate t)) with rate 5-6 Hz and depth 3-5 %; each period is then
 *   perturbed by Gaussian cycle-to-cycle jitter of 1 % (std). 10 ms raised-cosine onset / offset.
 * - fricative (unvoiced): white noise through a 2-pole resonance at 3-6 kHz, 6-12 dB below the voiced level.
 * - white noise over the whole utterance at 20 dB SNR relative to the mean power of the speech segments
 *   (voiced + fricative), so the "silent" segments hold noise at -20 dB too.
 * Ground truth per hop frame (frame t centred on sample t * hop, as the mel frames): F0 of the contour
 * (without jitter) when the frame centre is inside a voiced segment, else 0; frames whose centre is within
 * `guardMs` of a voiced-segment boundary are marked "don't care" (-1) and left out of the scores.
 */

export interface SynthUtterance {
  samples: Float32Array;
  /** Per frame: true F0 (Hz), 0 = unvoiced / silent, -1 = transition frame (not scored). */
  truth: Float32Array;
}

/** Seeded PRNG (mulberry32) with a Gaussian helper. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(a: number, b: number): number { return a + (b - a) * this.next(); }
  gauss(): number {
    const u = Math.max(1e-12, this.next()), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** In-place 2-pole resonator (unity gain at DC not enforced; gain is normalised later). */
function resonate(x: Float64Array, freq: number, bw: number, rate: number): void {
  const r = Math.exp((-Math.PI * bw) / rate);
  const a1 = 2 * r * Math.cos((2 * Math.PI * freq) / rate), a2 = -r * r;
  const g = 1 - r; // rough normalisation
  let y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = g * x[i]! + a1 * y1 + a2 * y2;
    y2 = y1; y1 = y; x[i] = y;
  }
}

const VOWELS: [number, number, number][] = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
  [570, 840, 2410], // o
];

interface Segment { kind: 'silence' | 'voiced' | 'unvoiced'; start: number; end: number }

/**
 * One utterance with base F0 `f0` (Hz). Deterministic for a given seed.
 * @example const { samples, truth } = synthUtterance(120, 22050, 256, 7);
 */
export function synthUtterance(f0: number, rate: number, hop: number, seed: number, options: { snrDb?: number; guardMs?: number } = {}): SynthUtterance {
  const rng = new Rng(seed);
  const snrDb = options.snrDb ?? 20, guardMs = options.guardMs ?? 20;
  const plan: [Segment['kind'], number][] = [
    ['silence', 0.15], ['voiced', rng.uniform(0.45, 0.7)], ['unvoiced', rng.uniform(0.1, 0.16)],
    ['voiced', rng.uniform(0.35, 0.55)], ['silence', 0.1], ['voiced', rng.uniform(0.4, 0.6)], ['silence', 0.15],
  ];
  const segments: Segment[] = [];
  let pos = 0;
  for (const [kind, sec] of plan) {
    const len = Math.round(sec * rate);
    segments.push({ kind, start: pos, end: pos + len });
    pos += len;
  }
  const n = pos;
  const speech = new Float64Array(n);
  const contour = new Float64Array(n); // F0 without jitter, for the ground truth
  const vibRate = rng.uniform(5, 6), vibDepth = rng.uniform(0.03, 0.05), vibPhase = rng.uniform(0, 2 * Math.PI);
  const ramp = Math.round(0.01 * rate);

  for (const seg of segments) {
    const len = seg.end - seg.start;
    const buf = new Float64Array(len);
    if (seg.kind === 'voiced') {
      const startF = f0 * rng.uniform(0.97, 1.05), endF = f0 * rng.uniform(0.93, 1.0);
      const fAt = (i: number): number => {
        const t = (seg.start + i) / rate;
        return (startF + ((endF - startF) * i) / len) * (1 + vibDepth * Math.sin(2 * Math.PI * vibRate * t + vibPhase));
      };
      for (let i = 0; i < len; i++) contour[seg.start + i] = fAt(i);
      // Glottal flow: consecutive Rosenberg pulses, each period jittered.
      const flow = new Float64Array(len + 1);
      let t0 = rng.uniform(0, rate / f0);
      while (t0 < len) {
        const period = (rate / fAt(Math.min(len - 1, Math.floor(t0)))) * (1 + 0.01 * rng.gauss());
        const tp = 0.4 * period, tn = 0.16 * period;
        for (let i = Math.ceil(t0); i < Math.min(len + 1, t0 + tp + tn); i++) {
          const u = i - t0;
          flow[i] = u < tp ? 0.5 * (1 - Math.cos((Math.PI * u) / tp)) : Math.cos((Math.PI * (u - tp)) / (2 * tn));
        }
        t0 += period;
      }
      for (let i = 0; i < len; i++) buf[i] = flow[i + 1]! - flow[i]!; // lip radiation (differentiation)
      const [f1, f2, f3] = VOWELS[Math.floor(rng.next() * VOWELS.length)]!;
      const shift = rng.uniform(0.95, 1.1);
      const a = Float64Array.from(buf), b = Float64Array.from(buf), c = Float64Array.from(buf);
      resonate(a, f1 * shift, 80, rate);
      resonate(b, f2 * shift, 100, rate);
      resonate(c, f3 * shift, 150, rate);
      for (let i = 0; i < len; i++) buf[i] = a[i]! + 0.5 * b[i]! + 0.25 * c[i]!;
      normalise(buf, 1);
    } else if (seg.kind === 'unvoiced') {
      for (let i = 0; i < len; i++) buf[i] = rng.gauss();
      resonate(buf, rng.uniform(3000, 6000), 1500, rate);
      normalise(buf, Math.pow(10, -rng.uniform(6, 12) / 20));
    } else continue;
    for (let i = 0; i < len; i++) {
      const edge = Math.min(i, len - 1 - i);
      const g = edge < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp) : 1;
      speech[seg.start + i] = buf[i]! * g;
    }
  }

  // Level, then white noise at the requested SNR relative to the speech segments' mean power.
  const level = rng.uniform(0.05, 0.2); // RMS of voiced segments: -26 .. -14 dBFS
  let p = 0, count = 0;
  for (const seg of segments) {
    if (seg.kind === 'silence') continue;
    for (let i = seg.start; i < seg.end; i++) { speech[i]! *= level; p += speech[i]! * speech[i]!; }
    count += seg.end - seg.start;
  }
  const noiseRms = Math.sqrt(p / count / Math.pow(10, snrDb / 10));
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) samples[i] = speech[i]! + noiseRms * rng.gauss();

  const frames = 1 + Math.floor(n / hop);
  const truth = new Float32Array(frames);
  const guard = (guardMs / 1000) * rate;
  for (let t = 0; t < frames; t++) {
    const c = t * hop;
    const seg = segments.find((s) => c >= s.start && c < s.end);
    const nearVoicedEdge = segments.some((s) => s.kind === 'voiced' && (Math.abs(c - s.start) < guard || Math.abs(c - s.end) < guard));
    if (nearVoicedEdge) truth[t] = -1;
    else truth[t] = seg?.kind === 'voiced' ? contour[c]! : 0;
  }
  return { samples, truth };
}

function normalise(x: Float64Array, rms: number): void {
  let s = 0;
  for (const v of x) s += v * v;
  const g = s > 0 ? rms / Math.sqrt(s / x.length) : 0;
  for (let i = 0; i < x.length; i++) x[i]! *= g;
}

export interface PitchScores {
  /** Frames scored (transition frames excluded). */
  frames: number;
  /** Reference-voiced frames. */
  voiced: number;
  /** Gross pitch error: share of frames voiced in both reference and estimate that are > 20 % off. */
  gpe: number;
  /** Voicing decision error: share of scored frames whose voiced/unvoiced decision is wrong. */
  vde: number;
  /** Mean |error| in cents over frames voiced in both, excluding gross errors. */
  meanCents: number;
  /** Voiced frames called unvoiced, and unvoiced frames called voiced (counts). */
  misses: number;
  falseAlarms: number;
}

/** Accumulates GPE / VDE / cents over several utterances. */
export class PitchScorer {
  private frames = 0; private voiced = 0; private both = 0; private gross = 0; private vdErr = 0;
  private cents = 0; private fine = 0; private misses = 0; private falseAlarms = 0;
  add(estimate: ArrayLike<number>, truth: ArrayLike<number>): void {
    if (estimate.length !== truth.length) throw new Error(`frame count mismatch: ${estimate.length} vs ${truth.length}`);
    for (let t = 0; t < truth.length; t++) {
      const r = truth[t]!, e = estimate[t]!;
      if (r < 0) continue;
      this.frames++;
      const rv = r > 0, ev = e > 0;
      if (rv) this.voiced++;
      if (rv !== ev) { this.vdErr++; if (rv) this.misses++; else this.falseAlarms++; }
      if (rv && ev) {
        this.both++;
        if (Math.abs(e - r) > 0.2 * r) this.gross++;
        else { this.cents += Math.abs(1200 * Math.log2(e / r)); this.fine++; }
      }
    }
  }
  scores(): PitchScores {
    return {
      frames: this.frames, voiced: this.voiced, gpe: this.both ? this.gross / this.both : 0, vde: this.frames ? this.vdErr / this.frames : 0,
      meanCents: this.fine ? this.cents / this.fine : 0, misses: this.misses, falseAlarms: this.falseAlarms,
    };
  }
}

/**
 * Bands of the accuracy table, by the utterance's base F0. Contours move from x0.88 to x1.10 of the base
 * (declination x vibrato), so the lowest base (80 Hz) reaches 70 Hz and the highest (363 Hz) 400 Hz.
 */
export const PITCH_BANDS: { name: string; f0s: number[] }[] = [
  { name: '70-100 Hz', f0s: [80, 84, 88, 93] },
  { name: '100-150 Hz', f0s: [105, 116, 128, 140] },
  { name: '150-250 Hz', f0s: [160, 185, 210, 235] },
  { name: '250-400 Hz', f0s: [262, 295, 330, 363] },
];
