// One direction of a bipartite multigraph: for every node, the targets of its edges in arrival order.
// Storage is a compact CSR "base" (4 bytes per edge, in pages: assembly/edgepages.ts) plus a "delta"
// of recent edges in per-node doubling vectors (assembly/deltaarena.ts). Appends go to the delta;
// `merge` folds the delta into the base in place (backwards, so nothing is overwritten before it is
// moved) and returns the delta's memory. A uniform random edge of a node is one read of its record
// and one read of the edge.
import { grownCapacity, resize } from "./memory";
import { SEGMENTS } from "./constants";
import { EdgePages } from "./edgepages";
import { DeltaArena, vectorCapacity } from "./deltaarena";

// Node record, 16 bytes: base offset, base degree, delta vector address, delta length.
const BASE_OFFSET: usize = 0;
const BASE_DEGREE: usize = 4;
const DELTA_ADDRESS: usize = 8;
const DELTA_LENGTH: usize = 12;
const RECORD_BYTES: usize = 16;

@unmanaged
export class Adjacency {
  nodes: usize = 0;
  nodeCapacity: u32 = 0;
  nodeCount: u32 = 0;
  base: EdgePages = new EdgePages();
  baseEdges: u32 = 0;
  delta: DeltaArena = new DeltaArena();
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
      ? this.base.address(load<u32>(record, BASE_OFFSET) + position)
      : <usize>load<u32>(record, DELTA_ADDRESS) + (<usize>(position - baseDegree) << 2);
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

  /** Where `append` will write the node's next edge, as far as its record says (a hint for touching:
   *  a full vector moves first); 0 for a node the graph does not hold yet. */
  @inline nextEdgeAddress(node: u32): usize {
    if (node >= this.nodeCount) return 0;
    const record = this.record(node);
    return <usize>load<u32>(record, DELTA_ADDRESS) + (<usize>load<u32>(record, DELTA_LENGTH) << 2);
  }

  /** The node's record, or 0 for a node the graph does not hold yet (for touching). */
  @inline recordAddress(node: u32): usize {
    return node < this.nodeCount ? this.record(node) : 0;
  }

  /** Appends edge node -> target; the node must exist. */
  append(node: u32, target: u32): void {
    const record = this.record(node);
    const length = load<u32>(record, DELTA_LENGTH);
    let vector = <usize>load<u32>(record, DELTA_ADDRESS);
    // A vector's capacity is its length rounded up to a power of two: full exactly when length is one.
    if (length == 0 || (length & (length - 1)) == 0) {
      const moved = this.delta.allocate(length == 0 ? 1 : length << 1);
      if (length > 0) {
        copyEdges(moved, vector, length);
        this.delta.release(vector, length);
      }
      vector = moved;
      store<u32>(record, <u32>vector, DELTA_ADDRESS);
    }
    store<u32>(vector + (<usize>length << 2), target);
    store<u32>(record, length + 1, DELTA_LENGTH);
    this.deltaEdges++;
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
      if (kept > 0 && from != written) this.base.moveDown(written, from, kept);
      store<u32>(record, written, BASE_OFFSET);
      store<u32>(record, kept, BASE_DEGREE);
      written += kept;
    }
    this.baseEdges = written;
    this.base.shrink(written);
  }

  /** Folds the delta into the base, keeping each node's edges in arrival order; records the delta as
   *  `segment` when the graph is bounded. */
  merge(segment: u32): void {
    const total = this.baseEdges + this.deltaEdges;
    this.base.ensure(total);
    let end = total;
    for (let node = <i32>this.nodeCount - 1; node >= 0; node--) {
      const record = this.record(node);
      const baseDegree = load<u32>(record, BASE_DEGREE);
      const deltaLength = load<u32>(record, DELTA_LENGTH);
      const offset = end - baseDegree - deltaLength;
      const oldOffset = load<u32>(record, BASE_OFFSET);
      if (baseDegree > 0 && offset != oldOffset) this.base.moveUp(offset, oldOffset, baseDegree);
      if (deltaLength > 0) {
        const vector = <usize>load<u32>(record, DELTA_ADDRESS);
        this.base.write(offset + baseDegree, vector, deltaLength);
        this.delta.release(vector, vectorCapacity(deltaLength));
      }
      if (this.bounded) store<u32>(this.segmentCount(node, segment), deltaLength);
      store<u32>(record, offset, BASE_OFFSET);
      store<u32>(record, baseDegree + deltaLength, BASE_DEGREE);
      store<u32>(record, 0, DELTA_ADDRESS);
      store<u32>(record, 0, DELTA_LENGTH);
      end = offset;
    }
    this.baseEdges = total;
    this.deltaEdges = 0;
    this.delta.reset();
  }

  /** Bytes held: node records, base, delta, segment counters. */
  bytes(): usize {
    let bytes = (<usize>this.nodeCapacity * RECORD_BYTES) + this.base.bytes() + this.delta.bytes();
    if (this.bounded) bytes += <usize>this.nodeCapacity * SEGMENTS * 4;
    return bytes;
  }
}

/** Copies `count` edges; a loop for the short vectors most growth moves, where a memory.copy call
 *  costs more than the copy. */
@inline function copyEdges(to: usize, from: usize, count: u32): void {
  if (count > 8) {
    memory.copy(to, from, <usize>count << 2);
    return;
  }
  for (let i: usize = 0; i < <usize>count << 2; i += 4) store<u32>(to + i, load<u32>(from + i));
}
