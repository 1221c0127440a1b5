// Item-kNN with cosine similarity over the training user-item matrix (entries 1 per pair, or the
// play count), no neighbourhood cut: score(j) = sum over the user's items i of cos(i, j). Computed
// exactly per request through the users the items share, instead of a stored item-item matrix.
import { bipartiteGraph, type BipartiteGraph, type EdgeWeight } from "./graph.js";
import type { Interactions } from "./interactions.js";
import { topScored, type Recommender } from "./recommender.js";

export class ItemKnn implements Recommender {
  private graph: BipartiteGraph | undefined;
  /** Per item: the Euclidean norm of its column. */
  private norms = new Float64Array(0);

  constructor(private readonly weight: EdgeWeight = "binary") {}

  fit(training: Interactions): void {
    this.graph = bipartiteGraph(training, this.weight);
    this.norms = Float64Array.from(this.graph.itemUsers.weights, norm);
  }

  recommend(user: number, k: number, exclude: Int32Array): number[] {
    const { userItems, itemUsers, itemCount } = this.graph!;
    // cos(i, j) = sum_v r_vi r_vj / (|r_i| |r_j|): the division by |r_j| waits until the end.
    const scores = new Float64Array(itemCount);
    for (const i of userItems.nodes[user]!) {
      const users = itemUsers.nodes[i]!;
      const weights = itemUsers.weights[i]!;
      for (let a = 0; a < users.length; a++) {
        const share = weights[a]! / this.norms[i]!;
        const items = userItems.nodes[users[a]!]!;
        const itemWeights = userItems.weights[users[a]!]!;
        for (let b = 0; b < items.length; b++) scores[items[b]!]! += share * itemWeights[b]!;
      }
    }
    for (let j = 0; j < itemCount; j++) if (scores[j]! > 0) scores[j]! /= this.norms[j]!;
    return topScored(scores, k, exclude);
  }
}

function norm(values: Float64Array): number {
  let squares = 0;
  for (const value of values) squares += value * value;
  return Math.sqrt(squares);
}
