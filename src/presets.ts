// The named recommendation parameter sets. `seed` is the seed's SALSA (the REST contract's defaults,
// which Quick users rely on); `quality` is the configuration the evaluation harness found best on
// real Last.fm data (README "Recommendation quality"). A request's explicit parameters override its
// preset's; `limit` and `seed` are never part of a preset.
import type { PresetName, RecommendParams } from "./types.js";

export type PresetParams = Omit<RecommendParams, "limit" | "seed">;

/** The exact walk's parameters where a preset does not use it: the walk weighted by similarity (ridge 0) over 80 co-listeners. */
const EXACT_WALK = { neighbours: 80, itemExponent: 0.8, userExponent: 0.8, hubCap: 300, edgeWeight: "pair", ridge: 0 } as const;
/**
 * `quality`'s: the 200 nearest co-listeners weighted by a ridge regression (docs/salsa.md#the-exact-walk),
 * at most 150 edges read per node (the regression's work grows with the square of its rows' overlap).
 */
const RIDGE_WALK = { ...EXACT_WALK, neighbours: 200, hubCap: 150, ridge: 50 } as const;
const SEED_WALK = { walks: 1000, walkLength: 100, resetProbability: 0.1 } as const;

export const PRESETS: Record<PresetName, PresetParams> = {
  seed: { method: "salsa", ...SEED_WALK, popularityPenalty: 0, ...EXACT_WALK },
  quality: { method: "exact", ...SEED_WALK, popularityPenalty: 0, ...RIDGE_WALK },
};

export const DEFAULT_PRESET: PresetName = "seed";
export const DEFAULT_LIMIT = 10;

/** Every preset's value of one parameter, for documentation: "seed 1000, quality 1000". */
export function presetValues(parameter: keyof PresetParams): string {
  return (Object.keys(PRESETS) as PresetName[]).map((name) => `${name} ${PRESETS[name][parameter]}`).join(", ");
}
