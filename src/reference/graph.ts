// Reference bipartite multigraph: per-node growable typed arrays in arrival order. Bounded graphs keep
// a log of the live edges so the oldest segment can be dropped from each node's front.
import { SEGMENTS } from "../../assembly/constants.js";

export class AdjacencyLists {
  private lists: Uint32Array[] = [];
  private lengths: number[] = [];

  degree(node: number): number {
    return this.lengths[node] ?? 0;
  }

  edgeAt(node: number, position: number): number {
    return this.lists[node]![position]!;
  }

  append(node: number, target: number): void {
    while (this.lists.length <= node) {
      this.lists.push(new Uint32Array(1));
      this.lengths.push(0);
    }
    let list = this.lists[node]!;
    const length = this.lengths[node]!;
    if (length === list.length) {
      const grown = new Uint32Array(length * 2);
      grown.set(list);
      this.lists[node] = list = grown;
    }
    list[length] = target;
    this.lengths[node] = length + 1;
  }

  dropOldest(node: number, count: number): void {
    const length = this.lengths[node]!;
    this.lists[node]!.copyWithin(0, count, length);
    this.lengths[node] = length - count;
  }

  bytes(): number {
    return this.lists.reduce((sum, list) => sum + list.byteLength, 0);
  }
}

export class ReferenceGraph {
  readonly users = new AdjacencyLists();
  readonly items = new AdjacencyLists();
  private appended = 0;
  private dropped = 0;
  private readonly segmentEdges: number;
  /** Ring of the live edges as (user, item) pairs, bounded graphs only. */
  private readonly log: Uint32Array | undefined;

  constructor(maxEdges: number) {
    this.segmentEdges = maxEdges > 0 ? Math.max(1, Math.floor(maxEdges / SEGMENTS)) : 0;
    if (this.segmentEdges > 0) this.log = new Uint32Array(2 * SEGMENTS * this.segmentEdges);
  }

  append(user: number, item: number): void {
    const s = this.segmentEdges;
    if (s > 0 && this.appended % s === 0 && this.appended / s >= SEGMENTS) this.dropOldestSegment();
    this.users.append(user, item);
    this.items.append(item, user);
    if (this.log) {
      const slot = (this.appended % (SEGMENTS * s)) * 2;
      this.log[slot] = user;
      this.log[slot + 1] = item;
    }
    this.appended++;
  }

  private dropOldestSegment(): void {
    const s = this.segmentEdges;
    const userDrops = new Map<number, number>();
    const itemDrops = new Map<number, number>();
    for (let seq = this.dropped; seq < this.dropped + s; seq++) {
      const slot = (seq % (SEGMENTS * s)) * 2;
      userDrops.set(this.log![slot]!, (userDrops.get(this.log![slot]!) ?? 0) + 1);
      itemDrops.set(this.log![slot + 1]!, (itemDrops.get(this.log![slot + 1]!) ?? 0) + 1);
    }
    for (const [user, count] of userDrops) this.users.dropOldest(user, count);
    for (const [item, count] of itemDrops) this.items.dropOldest(item, count);
    this.dropped += s;
  }

  edges(): number {
    return this.appended - this.dropped;
  }

  bytes(): number {
    return this.users.bytes() + this.items.bytes() + (this.log?.byteLength ?? 0);
  }
}
