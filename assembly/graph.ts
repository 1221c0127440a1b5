// A bipartite multigraph of users and items, one edge per play, indexed both ways.
// Unbounded graphs merge their deltas geometrically (amortized O(1) per edge) up to MAX_DELTA_EDGES,
// then every MAX_DELTA_EDGES edges, so that the delta (in memory beside the base) stays bounded at
// the graph sizes wasm32 can hold. A bounded graph keeps
// at most SEGMENTS segments of `segmentEdges` edges: when a new edge would start a segment beyond
// that, the oldest segment is dropped whole (as GraphJet drops whole time segments).
import { Adjacency } from "./adjacency";
import { SEGMENTS } from "./constants";

/** Deltas smaller than this are never merged (merging tiny deltas costs more than it saves). */
const MIN_MERGE_EDGES: u32 = 1 << 16;
/** Deltas are merged at the latest at this size: about 25 MB per direction, which the merge then
 *  returns; a quarter of a 100M-edge base would be 100 MB per direction. */
const MAX_DELTA_EDGES: u32 = 1 << 22;

@unmanaged
export class BipartiteGraph {
  users: Adjacency;
  items: Adjacency;
  /** Edges per segment when bounded; 0 when unbounded. */
  segmentEdges: u32;
  /** Segments merged into the base so far (the delta is segment number `sealedSegments`). */
  sealedSegments: u32 = 0;
  droppedSegments: u32 = 0;

  constructor(maxEdges: u32) {
    const bounded = maxEdges > 0;
    this.users = new Adjacency(bounded);
    this.items = new Adjacency(bounded);
    this.segmentEdges = bounded ? max<u32>(1, maxEdges / SEGMENTS) : 0;
  }

  /** Makes room for users [0, users) and items [0, items): once per batch, not per edge. */
  ensureNodes(users: u32, items: u32): void {
    this.users.ensureNodes(users);
    this.items.ensureNodes(items);
  }

  /** Appends edge user - item; both must exist (ensureNodes). */
  append(user: u32, item: u32): void {
    if (this.segmentEdges > 0 && this.users.deltaEdges == this.segmentEdges) this.sealSegment();
    this.users.append(user, item);
    this.items.append(item, user);
    if (this.segmentEdges == 0 && this.users.deltaEdges >= min(MAX_DELTA_EDGES, max(MIN_MERGE_EDGES, this.users.baseEdges >> 2))) this.merge();
  }

  private sealSegment(): void {
    const segment = this.sealedSegments;
    this.users.merge(segment);
    this.items.merge(segment);
    this.sealedSegments++;
    if (this.sealedSegments - this.droppedSegments == SEGMENTS) {
      this.users.dropSegment(this.droppedSegments);
      this.items.dropSegment(this.droppedSegments);
      this.droppedSegments++;
    }
  }

  /** Folds recent edges into the compact base (unbounded graphs; bounded ones merge per segment). */
  merge(): void {
    if (this.segmentEdges > 0) return;
    this.users.merge(0);
    this.items.merge(0);
  }

  edges(): u32 {
    return this.users.edges();
  }

  bytes(): usize {
    return this.users.bytes() + this.items.bytes();
  }
}
