// Most popular: the same list for everyone, items by how many training users have them.
import { bipartiteGraph } from "./graph.js";
import type { Interactions } from "./interactions.js";
import { topScored, type Recommender } from "./recommender.js";

export class MostPopular implements Recommender {
  private popularity = new Float64Array(0);

  fit(training: Interactions): void {
    this.popularity = Float64Array.from(bipartiteGraph(training, "binary").itemUsers.nodes, (users) => users.length);
  }

  recommend(_user: number, k: number, exclude: Int32Array): number[] {
    return topScored(this.popularity, k, exclude);
  }
}
