// RP3beta (Paudel et al. 2017, "Updatable, accurate, diverse, and scalable recommendations for
// interactive applications"), exact: the probability of an exact 3-step walk user -> item -> user ->
// item over the training graph, each step to a neighbour with probability proportional to the edge
// weight, then the score of item j divided by popularity(j)^beta, popularity = its training users.
import { bipartiteGraph, type BipartiteGraph, type EdgeWeight } from "./graph.js";
import type { Interactions } from "./interactions.js";
import { topScored, type Recommender } from "./recommender.js";

export const RP3BETA_DEFAULT_BETA = 0.3;

export class Rp3Beta implements Recommender {
  private graph: BipartiteGraph | undefined;
  private userStrength = new Float64Array(0);
  private itemStrength = new Float64Array(0);
  /** Per item: popularity^beta. */
  private penalty = new Float64Array(0);

  constructor(
    private readonly beta = RP3BETA_DEFAULT_BETA,
    private readonly weight: EdgeWeight = "binary",
  ) {}

  fit(training: Interactions): void {
    const graph = bipartiteGraph(training, this.weight);
    this.graph = graph;
    this.userStrength = Float64Array.from(graph.userItems.weights, sum);
    this.itemStrength = Float64Array.from(graph.itemUsers.weights, sum);
    this.penalty = Float64Array.from(graph.itemUsers.nodes, (users) => users.length ** this.beta);
  }

  recommend(user: number, k: number, exclude: Int32Array): number[] {
    const { userItems, itemUsers, itemCount } = this.graph!;
    const scores = new Float64Array(itemCount);
    const first = userItems.nodes[user]!;
    for (let a = 0; a < first.length; a++) {
      const i = first[a]!;
      const toItem = userItems.weights[user]![a]! / this.userStrength[user]!;
      const users = itemUsers.nodes[i]!;
      for (let b = 0; b < users.length; b++) {
        const v = users[b]!;
        const toUser = toItem * (itemUsers.weights[i]![b]! / this.itemStrength[i]!);
        const items = userItems.nodes[v]!;
        const weights = userItems.weights[v]!;
        for (let c = 0; c < items.length; c++) scores[items[c]!]! += (toUser * weights[c]!) / this.userStrength[v]!;
      }
    }
    for (let j = 0; j < itemCount; j++) if (scores[j]! > 0) scores[j]! /= this.penalty[j]!;
    return topScored(scores, k, exclude);
  }
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
