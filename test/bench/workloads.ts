/** The bench's texts: made deterministically from a seed, each cut to a target length in real tokens. Pure. */

import { createRng, type Rng } from '../fixtures/prng.js';

/** Counts a text's tokens as the model sees them (special tokens included). */
export type CountTokens = (text: string) => number;

/** One set of texts and their token lengths. */
export interface TextSet {
  name: string;
  texts: string[];
  tokens: number[];
}

/** How many texts each set holds: the sizes, or fewer for the smoke test. */
export interface SetSizes {
  short: number;
  long: number;
  /** Short texts next to the one long text of the "N + 1" set. */
  fewShort: number;
  mixed: number;
  queries: number;
}

export const FULL_SIZES: SetSizes = { short: 256, long: 64, fewShort: 63, mixed: 512, queries: 200 };
/**
 * The default run's sizes: the same seven sides and the same length mixes, with the two sets whose one
 * round costs minutes cut to a quarter (16 long, 128 mixed). One round of every side on the full sets takes
 * about 14 minutes on a quiet 2-core machine, past the 10-minute aim before any repetition; the ratios are
 * per-text throughput, which a quarter of the texts measures as well (BENCH_FULL=1 runs the full sets).
 */
export const BUDGET_SIZES: SetSizes = { short: 256, long: 16, fewShort: 63, mixed: 128, queries: 200 };
export const SMOKE_SIZES: SetSizes = { short: 8, long: 2, fewShort: 7, mixed: 16, queries: 4 };

/** Everyday English words, so WordPiece and SentencePiece split them as they split prose. */
const WORDS = (
  'the of and to in is was for that with as on by at from his her they this which are be have had not but ' +
  'one all were when there can an their more if out so up said what its about into than them only other new ' +
  'some could time these two may then first any like now over such our man me even most made after also did ' +
  'many before must through back years where much your way well down should because each just those people ' +
  'how too little state good very make world still own see men work long get here between both life being ' +
  'under never day same another know while last might us great old year off come since against go came right ' +
  'used take three himself few house use during without again place around however home small found thought ' +
  'went say part once general high upon school every does got united left number course war until always ' +
  'away something fact though water less public put think almost hand enough far took head yet government ' +
  'system better set told nothing night end why called didn eyes find going look asked later knew point next ' +
  'program city business give group toward young days let room president side social present given several ' +
  'order national possible rather second face per among form important often things looked early white case ' +
  'john become large big need four within felt along children saw best church ever least power development ' +
  'light seemed family interest want members mind country area others done turned although open problem ' +
  'embedding vector retrieval semantic tokenizer quantized inference throughput latency browser worker'
).split(' ');

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)];
const uniformInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
/** Log-uniform in [lo, hi]: as many texts of 5–10 tokens as of 200–400, so most are short and a few long. */
const logUniformInt = (rng: Rng, lo: number, hi: number): number => Math.round(lo * (hi / lo) ** rng.uniform());

/** Make texts of exactly (or, when a word's tokens overshoot, just under) `target` tokens. */
function textMaker(count: CountTokens) {
  const specials = count('');
  const wordTokens = new Map(WORDS.map((w) => [w, count(w) - specials]));
  return (rng: Rng, target: number): { text: string; tokens: number } => {
    // 1. Words and sentence ends, summing each piece's tokens, up to the target.
    const pieces: string[] = [];
    let estimate = specials;
    let sentence = 0;
    while (estimate < target) {
      const end = sentence >= 6 && rng.uniform() < 0.2;
      const piece = end ? '.' : pick(rng, WORDS);
      const cost = end ? 1 : wordTokens.get(piece)!;
      if (estimate + cost > target && pieces.length) break;
      pieces.push(piece);
      estimate += cost;
      sentence = end ? 0 : sentence + 1;
    }
    // 2. The real count decides: drop or add words until it is at most the target.
    const join = () => pieces.join(' ').replace(/ \./g, '.');
    let tokens = count(join());
    while (tokens > target && pieces.length > 1) { pieces.pop(); tokens = count(join()); }
    while (tokens < target) {
      pieces.push(pick(rng, WORDS));
      const next = count(join());
      if (next > target) { pieces.pop(); break; }
      tokens = next;
    }
    return { text: join(), tokens };
  };
}

function makeSet(name: string, rng: Rng, make: ReturnType<typeof textMaker>, lengths: number[]): TextSet {
  const made = lengths.map((n) => make(rng, n));
  return { name, texts: made.map((m) => m.text), tokens: made.map((m) => m.tokens) };
}

/** The bulk sets of workload 1 (short, long, N + 1, mixed) and the queries of workload 2. */
export function makeWorkloads(seed: number, count: CountTokens, sizes: SetSizes = FULL_SIZES): { bulk: TextSet[]; queries: TextSet } {
  const make = textMaker(count);
  const rng = createRng(seed);
  const shortLen = () => uniformInt(rng, 10, 25);
  const longLen = () => uniformInt(rng, 300, 400);
  const few = Array.from({ length: sizes.fewShort }, shortLen);
  few.splice(Math.floor(rng.uniform() * (few.length + 1)), 0, longLen());
  const bulk = [
    makeSet(`${sizes.short} short`, rng, make, Array.from({ length: sizes.short }, shortLen)),
    makeSet(`${sizes.long} long`, rng, make, Array.from({ length: sizes.long }, longLen)),
    makeSet(`${sizes.fewShort} short + 1 long`, rng, make, few),
    makeSet(`${sizes.mixed} mixed`, rng, make, Array.from({ length: sizes.mixed }, () => logUniformInt(rng, 5, 400))),
  ];
  const queries = makeSet(`${sizes.queries} queries`, rng, make, Array.from({ length: sizes.queries }, shortLen));
  return { bulk, queries };
}
