// The recommender configurations the evaluation knows by name.
import { ItemKnn } from "./item-knn.js";
import { MostPopular } from "./popular.js";
import type { Recommender } from "./recommender.js";
import { Rp3Beta, RP3BETA_DEFAULT_BETA } from "./rp3beta.js";
import { StoreRecommender, type TrainingEdges } from "./store-recommender.js";
import { PRESETS } from "../presets.js";
import { LIMITS, type RecommendOptions } from "../validation.js";

interface Configuration {
  description: string;
  create(seed: number): Recommender;
}

const SHORT = { walks: 10_000, walkLength: 3, resetProbability: 0.1 } as const;

const SHORT_PENALTY = { ...SHORT, popularityPenalty: 0.3 } as const;
/** RP3beta on the live graph: the exact walk keeping every co-listener, both steps normalised by degree. */
const RP3BETA_LIVE = { method: "exact", neighbours: 0, itemExponent: 1, userExponent: 1, popularityPenalty: RP3BETA_DEFAULT_BETA, edgeWeight: "pair", hubCap: LIMITS.hubCap, ridge: 0 } as const;

/** A configuration of the store: the request's options with the evaluation's seed. */
const store = (edges: TrainingEdges, request: Omit<RecommendOptions, "limit" | "seed">) => (seed: number) => new StoreRecommender({ edges, request: { ...request, seed } });
const q = PRESETS.quality;
const describeQuality = `exact walk, ${q.neighbours} nearest co-listeners weighted by ridge regression (ridge ${q.ridge}), itemExponent ${q.itemExponent}, userExponent ${q.userExponent}, popularity penalty ${q.popularityPenalty}, ${q.edgeWeight} weights, hubCap ${q.hubCap}`;

export const RECOMMENDERS = {
  popular: { description: "most popular, by training users per item", create: () => new MostPopular() },
  itemknn: { description: "item-kNN cosine, binary", create: () => new ItemKnn("binary") },
  "itemknn-plays": { description: "item-kNN cosine, play counts", create: () => new ItemKnn("plays") },
  rp3beta: { description: `RP3beta exact, beta ${RP3BETA_DEFAULT_BETA}, binary`, create: () => new Rp3Beta(RP3BETA_DEFAULT_BETA, "binary") },
  "salsa-seed": { description: "SALSA, 1000 walks, walkLength 100, reset 0.1, one edge per pair (preset seed)", create: store("pair", { preset: "seed" }) },
  "salsa-short": { description: "SALSA, 10000 walks, walkLength 3, one edge per pair", create: store("pair", SHORT) },
  "salsa-short-penalty": { description: "SALSA, 10000 walks, walkLength 3, one edge per pair, popularity penalty 0.3", create: store("pair", SHORT_PENALTY) },
  "rp3beta-live": { description: `RP3beta on the live graph (exact walk, every co-listener, no hub cap, beta ${RP3BETA_DEFAULT_BETA}), one edge per pair`, create: store("pair", RP3BETA_LIVE) },
  quality: { description: `preset quality: ${describeQuality}; one edge per pair`, create: store("pair", { preset: "quality" }) },
  "salsa-seed-plays": { description: "SALSA, 1000 walks, walkLength 100, reset 0.1, one edge per play", create: store("play", { preset: "seed" }) },
  "salsa-short-plays": { description: "SALSA, 10000 walks, walkLength 3, one edge per play", create: store("play", SHORT) },
  "quality-plays": { description: "preset quality on the multigraph: one edge per play, weighted per pair", create: store("play", { preset: "quality" }) },
  "quality-log": { description: "preset quality on the multigraph, each pair weighted ln(1 + plays)", create: store("play", { preset: "quality", edgeWeight: "log" }) },
  "quality-play-weights": { description: "preset quality on the multigraph, each pair weighted by its plays", create: store("play", { preset: "quality", edgeWeight: "play" }) },
} satisfies Record<string, Configuration>;

export type RecommenderName = keyof typeof RECOMMENDERS;
export const RECOMMENDER_NAMES = Object.keys(RECOMMENDERS) as RecommenderName[];
export const DEFAULT_RECOMMENDERS: readonly RecommenderName[] = ["popular", "itemknn", "rp3beta", "salsa-seed", "salsa-short", "rp3beta-live", "quality"];
