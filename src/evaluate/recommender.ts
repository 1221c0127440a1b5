// What every recommender of the evaluation offers: learn from the training part, then answer one
// user at a time with its k best items (dense indices), never one of `exclude`.
import type { Interactions } from "./interactions.js";

export interface Recommender {
  fit(training: Interactions): void | Promise<void>;
  /** At most k items, best first; `exclude` holds the items the user already has (ascending). */
  recommend(user: number, k: number, exclude: Int32Array): number[];
}

/** The k best items by score (higher first, ties by index ascending), skipping zero scores and `exclude`. */
export function topScored(scores: Float64Array, k: number, exclude: Int32Array): number[] {
  const excluded = new Set(exclude);
  const best: number[] = [];
  for (let item = 0; item < scores.length; item++) {
    if (scores[item]! <= 0 || excluded.has(item)) continue;
    if (best.length === k && !(scores[item]! > scores[best[k - 1]!]!)) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && scores[best[at - 1]!]! < scores[item]!) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = item;
    if (best.length > k) best.length = k;
  }
  return best;
}
