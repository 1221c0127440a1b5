// The recommender configurations the evaluation knows by name.
import { ItemKnn } from "./item-knn.js";
import { MostPopular } from "./popular.js";
import type { Recommender } from "./recommender.js";
import { Rp3Beta, RP3BETA_DEFAULT_BETA } from "./rp3beta.js";
import { Salsa, type SalsaSettings } from "./salsa.js";

interface Configuration {
  description: string;
  create(seed: number): Recommender;
}

const SEED_DEFAULTS = { walks: 1000, walkLength: 100, resetProbability: 0.1 } as const;
const SHORT = { walks: 10_000, walkLength: 3, resetProbability: 0.1 } as const;

const salsa = (settings: Omit<SalsaSettings, "seed">) => (seed: number) => new Salsa({ ...settings, seed });

export const RECOMMENDERS = {
  popular: { description: "most popular, by training users per item", create: () => new MostPopular() },
  itemknn: { description: "item-kNN cosine, binary", create: () => new ItemKnn("binary") },
  "itemknn-plays": { description: "item-kNN cosine, play counts", create: () => new ItemKnn("plays") },
  rp3beta: { description: `RP3beta exact, beta ${RP3BETA_DEFAULT_BETA}, binary`, create: () => new Rp3Beta(RP3BETA_DEFAULT_BETA, "binary") },
  "salsa-seed": { description: "SALSA, 1000 walks, walkLength 100, reset 0.1, one edge per pair", create: salsa({ ...SEED_DEFAULTS, edges: "pair" }) },
  "salsa-short": { description: "SALSA, 10000 walks, walkLength 3, one edge per pair", create: salsa({ ...SHORT, edges: "pair" }) },
  "salsa-short-penalty": {
    description: "SALSA, 10000 walks, walkLength 3, one edge per pair, popularity penalty 0.3",
    create: salsa({ ...SHORT, edges: "pair", popularityPenalty: 0.3 }),
  },
  "salsa-seed-plays": { description: "SALSA, 1000 walks, walkLength 100, reset 0.1, one edge per play", create: salsa({ ...SEED_DEFAULTS, edges: "play" }) },
  "salsa-short-plays": { description: "SALSA, 10000 walks, walkLength 3, one edge per play", create: salsa({ ...SHORT, edges: "play" }) },
} satisfies Record<string, Configuration>;

export type RecommenderName = keyof typeof RECOMMENDERS;
export const RECOMMENDER_NAMES = Object.keys(RECOMMENDERS) as RecommenderName[];
export const DEFAULT_RECOMMENDERS: readonly RecommenderName[] = ["popular", "itemknn", "rp3beta", "salsa-seed", "salsa-short"];
