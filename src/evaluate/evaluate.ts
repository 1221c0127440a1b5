// evaluate(): loads interaction data, splits it by a protocol, fits each recommender on the
// training part and asks it for every test user's top K, with metrics and per-request latency.
import { z } from "zod";
import { parseOrThrow } from "../validation.js";
import type { Interactions } from "./interactions.js";
import { loadHetrec } from "./load-hetrec.js";
import { loadLfm1bInteractions } from "./load-lfm1b.js";
import { percentile, scoreRanking } from "./metrics.js";
import { PROTOCOLS, sampleTestUsers, split, type Protocol } from "./protocols.js";
import { DEFAULT_RECOMMENDERS, RECOMMENDER_NAMES, RECOMMENDERS, type RecommenderName } from "./recommenders.js";

export const EVALUATE_DEFAULTS = { protocol: "leave-one-out", k: 10, seed: 1, recommenders: DEFAULT_RECOMMENDERS } as const;

const evaluateOptionsSchema = z
  .strictObject(
    {
      hetrec: z.string({ error: "a file path" }).min(1, { error: "a file path" }).optional(),
      lfm: z.string({ error: "a directory" }).min(1, { error: "a directory" }).optional(),
      data: z.custom<Interactions>((value) => typeof value === "object" && value !== null && "users" in value, { error: "interaction data" }).optional(),
      protocol: z.enum(PROTOCOLS, { error: `one of ${PROTOCOLS.join(", ")}` }).default(EVALUATE_DEFAULTS.protocol),
      k: z.number({ error: "an integer between 1 and 1000" }).int().min(1).max(1000).default(EVALUATE_DEFAULTS.k),
      seed: z.number({ error: "an integer between 0 and 2^32-1" }).int().min(0).max(2 ** 32 - 1).default(EVALUATE_DEFAULTS.seed),
      recommenders: z
        .array(z.enum(RECOMMENDER_NAMES as [RecommenderName, ...RecommenderName[]], { error: `one of ${RECOMMENDER_NAMES.join(", ")}` }))
        .min(1)
        .default([...EVALUATE_DEFAULTS.recommenders]),
      users: z.number({ error: "a positive integer" }).int().min(1).optional(),
      onProgress: z.custom<(done: number, total: number) => void>((value) => typeof value === "function", { error: "a function" }).optional(),
    },
    { error: "a known option: hetrec, lfm, data, protocol, k, seed, recommenders, users, onProgress" },
  )
  .refine((o) => [o.hetrec, o.lfm, o.data].filter((source) => source !== undefined).length === 1, {
    path: ["hetrec"],
    error: "exactly one data source: hetrec, lfm or data",
  });

export type EvaluateOptions = z.input<typeof evaluateOptionsSchema>;

export interface RecommenderResult {
  name: RecommenderName;
  description: string;
  hr: number;
  ndcg: number;
  recall: number;
  /** Distinct items recommended to all test users over the catalogue's size. */
  coverage: number;
  p50Ms: number;
  p99Ms: number;
  fitMs: number;
}

export interface EvaluationResult {
  protocol: Protocol;
  k: number;
  seed: number;
  users: number;
  items: number;
  pairs: number;
  testUsers: number;
  results: RecommenderResult[];
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  const settings = parseOrThrow(evaluateOptionsSchema, options, "options");
  const data = settings.data ?? (settings.hetrec !== undefined ? await loadHetrec(settings.hetrec) : (await loadLfm1bInteractions(settings.lfm!)).data);
  const whole = split(data, settings.protocol, settings.seed);
  const { training, testUsers, targets } = settings.users === undefined ? whole : sampleTestUsers(whole, settings.users, settings.seed);
  if (testUsers.length === 0) {
    throw new RangeError(`no test users: of the data's ${data.users.length} users, none has enough plays to hold one out (${settings.protocol} protocol)`);
  }
  const total = testUsers.length * settings.recommenders.length;
  const results: RecommenderResult[] = [];
  for (const [r, name] of settings.recommenders.entries()) {
    const recommender = RECOMMENDERS[name].create(settings.seed);
    const fitStarted = performance.now();
    await recommender.fit(training);
    const fitMs = performance.now() - fitStarted;
    const latencies: number[] = [];
    const recommended = new Set<number>();
    let hr = 0;
    let ndcg = 0;
    let recall = 0;
    for (const [t, user] of testUsers.entries()) {
      const started = performance.now();
      const ranking = recommender.recommend(user, settings.k, training.users[user]!.items);
      latencies.push(performance.now() - started);
      const scores = scoreRanking(ranking, targets[t]!, settings.k);
      hr += scores.hit;
      ndcg += scores.ndcg;
      recall += scores.recall;
      for (const item of ranking) recommended.add(item);
      settings.onProgress?.(r * testUsers.length + t + 1, total);
    }
    const count = Math.max(1, testUsers.length);
    results.push({
      name,
      description: RECOMMENDERS[name].description,
      hr: hr / count,
      ndcg: ndcg / count,
      recall: recall / count,
      coverage: recommended.size / data.itemIds.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      fitMs,
    });
  }
  const pairs = data.users.reduce((sum, user) => sum + user.items.length, 0);
  return { protocol: settings.protocol, k: settings.k, seed: settings.seed, users: data.users.length, items: data.itemIds.length, pairs, testUsers: testUsers.length, results };
}
