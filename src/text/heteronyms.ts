/**
 * Cheap context heuristics for heteronyms (same spelling, different pronunciation).
 * Each rule looks at the neighbouring words only; no tagger. Defaults are the more frequent reading.
 */

/** Context of a word in its sentence (lower-case neighbours, '' at the edges). */
export interface WordContext {
  prev: string;
  prev2: string;
  next: string;
  /** Original spelling (for capitalisation: "Polish" vs "polish"). */
  original: string;
}

const MODALS_TO = new Set(['to', 'will', "won't", 'would', 'can', "can't", 'cannot', 'could', 'should', 'must', 'may', 'might',
  'shall', 'do', "don't", 'does', "doesn't", 'did', "didn't", 'please', 'i', 'we', 'you', 'they', "let's", 'not', "i'll", "we'll", "you'll", "they'll"]);
const DETERMINERS = new Set(['a', 'an', 'the', 'this', 'that', 'these', 'those', 'my', 'your', 'his', 'her', 'its', 'our', 'their',
  'of', 'no', 'any', 'each', 'every', 'some', 'new', 'old', 'good', 'great', 'first', 'last', 'public', 'world', 'in', 'for', 'on']);
const PAST_AUX = new Set(['had', 'has', 'have', "i've", "we've", "you've", "they've", 'was', 'were', 'been', 'is', 'are', 'already', 'just', 'be', 'being', 'well', 'widely', 'never', 'once']);

const P = (s: string): string[] => s.split(' ');

/**
 * Noun/verb stress pairs: noun stresses the first syllable (RECord), verb the second (reCORD).
 * Noun after a determiner or adjective-like word; verb after "to", modals and pronouns; else noun.
 */
const STRESS_PAIRS: Record<string, [noun: string, verb: string]> = {
  record: ['R EH1 K ER0 D', 'R IH0 K AO1 R D'],
  records: ['R EH1 K ER0 D Z', 'R IH0 K AO1 R D Z'],
  present: ['P R EH1 Z AH0 N T', 'P R IY0 Z EH1 N T'],
  object: ['AA1 B JH EH0 K T', 'AH0 B JH EH1 K T'],
  project: ['P R AA1 JH EH0 K T', 'P R AH0 JH EH1 K T'],
  permit: ['P ER1 M IH2 T', 'P ER0 M IH1 T'],
  produce: ['P R OW1 D UW0 S', 'P R AH0 D UW1 S'],
  refuse: ['R EH1 F Y UW2 Z', 'R IH0 F Y UW1 Z'],
  conduct: ['K AA1 N D AH0 K T', 'K AH0 N D AH1 K T'],
  contract: ['K AA1 N T R AE2 K T', 'K AH0 N T R AE1 K T'],
  contest: ['K AA1 N T EH0 S T', 'K AH0 N T EH1 S T'],
  desert: ['D EH1 Z ER0 T', 'D IH0 Z ER1 T'],
  subject: ['S AH1 B JH IH0 K T', 'S AH0 B JH EH1 K T'],
  increase: ['IH1 N K R IY2 S', 'IH0 N K R IY1 S'],
  decrease: ['D IY1 K R IY2 S', 'D IH0 K R IY1 S'],
  export: ['EH1 K S P AO2 R T', 'IH0 K S P AO1 R T'],
  import: ['IH1 M P AO2 R T', 'IH0 M P AO1 R T'],
  insult: ['IH1 N S AH2 L T', 'IH0 N S AH1 L T'],
  progress: ['P R AA1 G R EH2 S', 'P R AH0 G R EH1 S'],
  protest: ['P R OW1 T EH2 S T', 'P R AH0 T EH1 S T'],
  rebel: ['R EH1 B AH0 L', 'R IH0 B EH1 L'],
  reject: ['R IY1 JH EH0 K T', 'R IH0 JH EH1 K T'],
  suspect: ['S AH1 S P EH2 K T', 'S AH0 S P EH1 K T'],
  survey: ['S ER1 V EY2', 'S ER0 V EY1'],
  transport: ['T R AE1 N S P AO2 R T', 'T R AE0 N S P AO1 R T'],
  convict: ['K AA1 N V IH0 K T', 'K AH0 N V IH1 K T'],
  content: ['K AA1 N T EH0 N T', 'K AH0 N T EH1 N T'],
  address: ['AE1 D R EH2 S', 'AH0 D R EH1 S'],
  combat: ['K AA1 M B AE0 T', 'K AH0 M B AE1 T'],
  conflict: ['K AA1 N F L IH0 K T', 'K AH0 N F L IH1 K T'],
  perfect: ['P ER1 F IH0 K T', 'P ER0 F EH1 K T'],
};

/** Adjective (-ate = AH0 T) vs verb (-ate = EY1 T). Verb after to/modals, adjective otherwise. */
const ATE_PAIRS: Record<string, [adjective: string, verb: string]> = {
  separate: ['S EH1 P R AH0 T', 'S EH1 P ER0 EY2 T'],
  estimate: ['EH1 S T AH0 M AH0 T', 'EH1 S T AH0 M EY2 T'],
  graduate: ['G R AE1 JH AH0 W AH0 T', 'G R AE1 JH AH0 W EY2 T'],
  moderate: ['M AA1 D ER0 AH0 T', 'M AA1 D ER0 EY2 T'],
  alternate: ['AO1 L T ER0 N AH0 T', 'AO1 L T ER0 N EY2 T'],
  advocate: ['AE1 D V AH0 K AH0 T', 'AE1 D V AH0 K EY2 T'],
  associate: ['AH0 S OW1 S IY0 AH0 T', 'AH0 S OW1 S IY0 EY2 T'],
  duplicate: ['D UW1 P L AH0 K AH0 T', 'D UW1 P L AH0 K EY2 T'],
  approximate: ['AH0 P R AA1 K S AH0 M AH0 T', 'AH0 P R AA1 K S AH0 M EY2 T'],
  appropriate: ['AH0 P R OW1 P R IY0 AH0 T', 'AH0 P R OW1 P R IY0 EY2 T'],
  deliberate: ['D IH0 L IH1 B ER0 AH0 T', 'D IH0 L IH1 B ER0 EY2 T'],
};

const LEAD_METAL = new Set(['poisoning', 'paint', 'pipe', 'pipes', 'pencil', 'pencils', 'weight', 'weights', 'bullet', 'bullets', 'metal', 'shot', 'content', 'levels', 'exposure', 'crystal', 'acetate', 'oxide', 'free', 'based']);
const LIVE_ADJ_NEXT = new Set(['music', 'show', 'shows', 'broadcast', 'performance', 'performances', 'audience', 'concert', 'concerts', 'coverage',
  'event', 'events', 'stream', 'streaming', 'wire', 'wires', 'animals', 'animal', 'bait', 'ammunition', 'ammo', 'recording', 'album', 'tv', 'television',
  'action', 'update', 'updates', 'feed', 'version', 'band', 'on', 'oak', 'fire', 'round', 'rounds', 'chat', 'demo', 'vote', 'data', 'radio', 'cam']);
const LIVE_ADJ_PREV = new Set(['a', 'went', 'go', 'goes', 'going', 'is', 'are', 'was', 'were', 'be', 'been', 'broadcast', 'streamed', 'aired', 'performed', 'played']);
const CLOSE_ADJ_NEXT = new Set(['to', 'by', 'call', 'friend', 'friends', 'relative', 'relatives', 'attention', 'contact', 'range', 'quarters', 'up', 'second', 'together', 'enough', 'behind', 'ally', 'allies', 'race', 'look', 'eye']);
const CLOSE_ADJ_PREV = new Set(['so', 'very', 'too', 'a', 'is', 'are', 'was', 'were', 'get', 'got', 'getting', 'come', 'came', 'coming', 'stay', 'stayed', 'quite', 'fairly', 'pretty', 'really', 'as', 'that', 'how', 'be', 'been', 'more', 'most', 'up']);
const USE_NOUN_PREV = new Set(['the', 'a', 'of', 'no', 'any', 'in', 'for', 'its', 'this', 'that', 'your', 'my', 'his', 'her', 'our', 'their', 'what', "what's", 'much', 'some', 'into', 'out', 'personal', 'commercial', 'drug', 'land', 'fair', 'common', 'daily', 'frequent', 'widespread', 'heavy', 'excessive', 'regular', 'intended', 'general', 'everyday', 'limited', 'own', 'single', 'multiple']);
const TEAR_VERB_NEXT = new Set(['up', 'down', 'apart', 'off', 'open', 'out', 'away', 'through', 'into', 'it', 'them', 'the', 'a', 'his', 'her', 'my', 'your', 'their', 'our', 'at', 'this', 'that']);
const BASS_FISH = new Set(['fish', 'fishing', 'caught', 'catch', 'sea', 'striped', 'largemouth', 'smallmouth', 'lake', 'boat', 'pond', 'bait', 'lure', 'fillet', 'angler', 'anglers']);
const WIND_VERB_NEXT = new Set(['up', 'down', 'around', 'back', 'the', 'it', 'your', 'my', 'his', 'her', 'its', 'their', 'our', 'through', 'along', 'a']);
const WOUND_VERB_PREV = new Set(['he', 'she', 'it', 'they', 'we', 'i', 'you', 'was', 'were', 'had', 'has', 'have', 'been', 'tightly', 'then', 'road', 'path', 'river', 'clock']);
const MINUTE_TINY_NEXT = new Set(['details', 'detail', 'amount', 'amounts', 'quantities', 'quantity', 'particles', 'traces', 'differences', 'changes', 'fraction', 'amounts']);
const LIVES_VERB_PREV = new Set(['he', 'she', 'it', 'who', 'that', 'which', 'still', 'now', 'also', 'only', 'never', 'currently', 'family', 'one', 'nobody', 'everyone', 'someone']);

/**
 * Pronunciation of a heteronym in context, or undefined when the word is not one.
 *
 * @example resolveHeteronym('read', { prev: 'had', prev2: 'i', next: 'it', original: 'read' }) // ['R','EH1','D']
 */
export function resolveHeteronym(word: string, ctx: WordContext): string[] | undefined {
  const { prev, next } = ctx;
  const pair = STRESS_PAIRS[word];
  if (pair) return P(MODALS_TO.has(prev) ? pair[1] : pair[0]);
  const ate = ATE_PAIRS[word];
  if (ate) return P(MODALS_TO.has(prev) ? ate[1] : ate[0]);
  switch (word) {
    case 'read':
      if (PAST_AUX.has(prev) || (prev === 'i' || prev === 'he' || prev === 'she' || prev === 'we' || prev === 'they' || prev === 'you') && next === 'yesterday') return P('R EH1 D');
      if (ctx.prev2 === 'had' || ctx.prev2 === 'have' || ctx.prev2 === 'has') return P('R EH1 D');
      return P('R IY1 D');
    case 'lead':
      return P(LEAD_METAL.has(next) || (prev === 'of' && !next) || prev === 'with' && LEAD_METAL.has(next) ? 'L EH1 D' : 'L IY1 D');
    case 'live':
      return P(LIVE_ADJ_NEXT.has(next) || (LIVE_ADJ_PREV.has(prev) && !MODALS_TO.has(prev)) || (prev === 'live' && next === '') ? 'L AY1 V' : 'L IH1 V');
    case 'lives':
      return P(LIVES_VERB_PREV.has(prev) ? 'L IH1 V Z' : 'L AY1 V Z');
    case 'close':
      if (MODALS_TO.has(prev) && prev !== 'not') return P('K L OW1 Z');
      return P(CLOSE_ADJ_NEXT.has(next) || CLOSE_ADJ_PREV.has(prev) ? 'K L OW1 S' : 'K L OW1 Z');
    case 'use':
      return P(USE_NOUN_PREV.has(prev) && !MODALS_TO.has(prev) ? 'Y UW1 S' : 'Y UW1 Z');
    case 'wind':
      return P(MODALS_TO.has(prev) && WIND_VERB_NEXT.has(next) ? 'W AY1 N D' : 'W IH1 N D');
    case 'wound':
      return P(WOUND_VERB_PREV.has(prev) || next === 'up' || next === 'down' || next === 'around' ? 'W AW1 N D' : 'W UW1 N D');
    case 'tear':
      return P(MODALS_TO.has(prev) || TEAR_VERB_NEXT.has(next) && prev !== 'a' && prev !== 'the' ? 'T EH1 R' : 'T IH1 R');
    case 'tears':
      return P(next === 'up' || next === 'apart' || next === 'down' || next === 'off' ? 'T EH1 R Z' : 'T IH1 R Z');
    case 'bass':
      return P(BASS_FISH.has(next) || BASS_FISH.has(prev) || BASS_FISH.has(ctx.prev2) ? 'B AE1 S' : 'B EY1 S');
    case 'bow':
      return P(next === 'and' || next === 'tie' || next === 'ties' || prev === 'a' && next === 'and' || next === 'string' || next === 'strings' || prev === 'and' ? 'B OW1' : 'B AW1');
    case 'minute':
      return P(MINUTE_TINY_NEXT.has(next) ? 'M AY0 N UW1 T' : 'M IH1 N AH0 T');
    case 'does':
      return P(prev === 'the' || prev === 'and' && next === '' ? 'D OW1 Z' : 'D AH1 Z');
    case 'polish':
      return P(ctx.original[0] === 'P' && prev !== '' ? 'P OW1 L IH0 SH' : 'P AA1 L IH0 SH');
    case 'row':
      return P(prev === 'a' && (next === 'about' || next === 'with' || next === 'over') ? 'R AW1' : 'R OW1');
    case 'sow':
      return P(prev === 'the' || prev === 'a' ? 'S AW1' : 'S OW1');
    case 'dove':
      return P(prev === 'a' || prev === 'the' || prev === 'white' ? 'D AH1 V' : 'D OW1 V');
    case 'invalid':
      return P(prev === 'an' || prev === 'the' ? 'IH1 N V AH0 L IH0 D' : 'IH2 N V AE1 L IH0 D');
    default:
      return undefined;
  }
}

/** Words `resolveHeteronym` handles. */
export const HETERONYMS: ReadonlySet<string> = new Set([
  ...Object.keys(STRESS_PAIRS), ...Object.keys(ATE_PAIRS),
  'read', 'lead', 'live', 'lives', 'close', 'use', 'wind', 'wound', 'tear', 'tears', 'bass', 'bow', 'minute', 'does', 'polish', 'row', 'sow', 'dove', 'invalid',
]);
