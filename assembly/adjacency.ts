// One direction of a bipartite multigraph: for every node, the targets of its edges in arrival order.
// Storage is a compact CSR "base" (4 bytes per edge) plus a "delta" of recent edges in per-node
// doubling vectors inside one bump arena. Appends go to the delta; `merge` folds the delta into the
// base in place (backwards, so nothing is overwritten before it is moved) and empties the arena.
// A uniform random edge of a node is one read of its record and one read of the edge.
import { grownCapacity, resize } from "./memory";
import { SEGMENTS } from "./constants";

// Node record, 16 bytes: base offset, base degree, delta offset (in the arena), delta length.
const BASE_OFFSET: usize = 0;
const BASE_DEGREE: usize = 4;
const DELTA_OFFSET: usize = 8;
const DELTA_LENGTH: usize = 12;
const RECORD_BYTES: usize = 16;

@unmanaged
export class Adjacency {
  nodes: usize = 0;
  nodeCapacity: u32 = 0;
  nodeCount: u32 = 0;
  base: usize = 0;
  baseEdges: u32 = 0;
  arena: usize = 0;
  arenaTop: u32 = 0;
  arenaCapacity: u32 = 0;
  deltaEdges: u32 = 0;
  /** Per node and segment slot: how many of its base edges came from that segment (bounded graphs only). */
  segmentCounts: usize = 0;
  bounded: bool = false;

  constructor(bounded: bool) {
    this.bounded = bounded;
  }

  @inline record(node: u32): usize {
    return this.nodes + <usize>node * RECORD_BYTES;
  }

  @inline degree(node: u32): u32 {
    const record = this.record(node);
    return load<u32>(record, BASE_DEGREE) + load<u32>(record, DELTA_LENGTH);
  }

  /** Address of the edge at `position` of `node` (0 <= position < degree). */
  @inline edgeAddress(node: u32, position: u32): usize {
    const record = this.record(node);
    const baseDegree = load<u32>(record, BASE_DEGREE);
    return position < baseDegree
      ? this.base + ((<usize>load<u32>(record, BASE_OFFSET) + position) << 2)
      : this.arena + ((<usize>load<u32>(record, DELTA_OFFSET) + position - baseDegree) << 2);
  }

  @inline edgeAt(node: u32, position: u32): u32 {
    return load<u32>(this.edgeAddress(node, position));
  }

  edges(): u32 {
    return this.baseEdges + this.deltaEdges;
  }

  /** Makes room for nodes [0, count). New nodes start with no edges. */
  ensureNodes(count: u32): void {
    if (count <= this.nodeCount) return;
    if (count > this.nodeCapacity) {
      const capacity = grownCapacity(this.nodeCapacity, count, 1024);
      this.nodes = resize(this.nodes, <usize>this.nodeCapacity * RECORD_BYTES, <usize>capacity * RECORD_BYTES);
      if (this.bounded) {
        this.segmentCounts = resize(
          this.segmentCounts,
          <usize>this.nodeCapacity * SEGMENTS * 4,
          <usize>capacity * SEGMENTS * 4,
        );
      }
      this.nodeCapacity = capacity;
    }
    for (let node = this.nodeCount; node < count; node++) store<u32>(this.record(node), this.baseEdges, BASE_OFFSET);
    this.nodeCount = count;
  }

  /** Appends edge node -> target; the node must exist. */
  append(node: u32, target: u32): void {
    const record = this.record(node);
    const length = load<u32>(record, DELTA_LENGTH);
    let offset = load<u32>(record, DELTA_OFFSET);
    // A vector's capacity is its length rounded up to a power of two: full exactly when length is one.
    if (length == 0 || (length & (length - 1)) == 0) {
      const moved = this.arenaAllocate(length == 0 ? 1 : length << 1);
      if (length > 0) memory.copy(this.arena + (<usize>moved << 2), this.arena + (<usize>offset << 2), <usize>length << 2);
      offset = moved;
      store<u32>(record, offset, DELTA_OFFSET);
    }
    store<u32>(this.arena + ((<usize>offset + length) << 2), target);
    store<u32>(record, length + 1, DELTA_LENGTH);
    this.deltaEdges++;
  }

  private arenaAllocate(slots: u32): u32 {
    const offset = this.arenaTop;
    const top = offset + slots;
    if (top > this.arenaCapacity) {
      const capacity = grownCapacity(this.arenaCapacity, top, 65536);
      this.arena = resize(this.arena, <usize>this.arenaCapacity << 2, <usize>capacity << 2);
      this.arenaCapacity = capacity;
    }
    this.arenaTop = top;
    return offset;
  }

  @inline private segmentCount(node: u32, segment: u32): usize {
    return this.segmentCounts + ((<usize>node * SEGMENTS + segment % SEGMENTS) << 2);
  }

  /** Drops, from every node, the base edges that came from `segment` (they are each node's oldest). */
  dropSegment(segment: u32): void {
    let written: u32 = 0;
    for (let node: u32 = 0; node < this.nodeCount; node++) {
      const record = this.record(node);
      const counter = this.segmentCount(node, segment);
      const dropped = load<u32>(counter);
      store<u32>(counter, 0);
      const kept = load<u32>(record, BASE_DEGREE) - dropped;
      const from = load<u32>(record, BASE_OFFSET) + dropped;
      if (kept > 0 && from != written) memory.copy(this.base + (<usize>written << 2), this.base + (<usize>from << 2), <usize>kept << 2);
      store<u32>(record, written, BASE_OFFSET);
      store<u32>(record, kept, BASE_DEGREE);
      written += kept;
    }
    this.baseEdges = written;
  }

  /** Folds the delta into the base, keeping each node's edges in arrival order; records the delta as
   *  `segment` when the graph is bounded. */
  merge(segment: u32): void {
    const total = this.baseEdges + this.deltaEdges;
    if (this.deltaEdges > 0) this.base = resize(this.base, <usize>this.baseEdges << 2, <usize>total << 2);
    let end = total;
    for (let node = <i32>this.nodeCount - 1; node >= 0; node--) {
      const record = this.record(node);
      const baseDegree = load<u32>(record, BASE_DEGREE);
      const deltaLength = load<u32>(record, DELTA_LENGTH);
      const offset = end - baseDegree - deltaLength;
      const oldOffset = load<u32>(record, BASE_OFFSET);
      if (baseDegree > 0 && offset != oldOffset) {
        memory.copy(this.base + (<usize>offset << 2), this.base + (<usize>oldOffset << 2), <usize>baseDegree << 2);
      }
      if (deltaLength > 0) {
        memory.copy(
          this.base + ((<usize>offset + baseDegree) << 2),
          this.arena + (<usize>load<u32>(record, DELTA_OFFSET) << 2),
          <usize>deltaLength << 2,
        );
      }
      if (this.bounded) store<u32>(this.segmentCount(node, segment), deltaLength);
      store<u32>(record, offset, BASE_OFFSET);
      store<u32>(record, baseDegree + deltaLength, BASE_DEGREE);
      store<u32>(record, 0, DELTA_OFFSET);
      store<u32>(record, 0, DELTA_LENGTH);
      end = offset;
    }
    this.baseEdges = total;
    this.deltaEdges = 0;
    this.arenaTop = 0;
  }

  /** Returns the arena to the heap (after a final merge, when no more appends are expected soon). */
  releaseArena(): void {
    if (this.deltaEdges > 0 || this.arena == 0) return;
    heap.free(this.arena);
    this.arena = 0;
    this.arenaCapacity = 0;
  }

  /** Bytes held: node records, base, arena, segment counters. */
  bytes(): usize {
    let bytes = (<usize>this.nodeCapacity * RECORD_BYTES) + (<usize>this.baseEdges << 2) + (<usize>this.arenaCapacity << 2);
    if (this.bounded) bytes += <usize>this.nodeCapacity * SEGMENTS * 4;
    return bytes;
  }
}
