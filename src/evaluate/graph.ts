// The training data as a weighted bipartite graph, for the baselines: each user's items and each
// item's users with the edge weight, either 1 per (user, item) pair or the play count.
import type { Interactions } from "./interactions.js";

export const EDGE_WEIGHTS = ["binary", "plays"] as const;
export type EdgeWeight = (typeof EDGE_WEIGHTS)[number];

export interface Adjacency {
  nodes: Int32Array[];
  weights: Float64Array[];
}

export interface BipartiteGraph {
  itemCount: number;
  /** Per user: its items and edge weights. */
  userItems: Adjacency;
  /** Per item: its users and edge weights. */
  itemUsers: Adjacency;
}

export function bipartiteGraph(training: Interactions, weight: EdgeWeight): BipartiteGraph {
  const itemCount = training.itemIds.length;
  const userItems: Adjacency = {
    nodes: training.users.map((user) => user.items),
    weights: training.users.map((user) => (weight === "plays" ? user.plays : new Float64Array(user.items.length).fill(1))),
  };
  const degree = new Int32Array(itemCount);
  for (const items of userItems.nodes) for (const item of items) degree[item]!++;
  const itemUsers: Adjacency = {
    nodes: Array.from(degree, (d) => new Int32Array(d)),
    weights: Array.from(degree, (d) => new Float64Array(d)),
  };
  const filled = new Int32Array(itemCount);
  userItems.nodes.forEach((items, user) => {
    items.forEach((item, i) => {
      const at = filled[item]!++;
      itemUsers.nodes[item]![at] = user;
      itemUsers.weights[item]![at] = userItems.weights[user]![i]!;
    });
  });
  return { itemCount, userItems, itemUsers };
}
