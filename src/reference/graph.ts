// Reference bipartite multigraph: the storage of assembly/adjacency.ts and assembly/graph.ts written
// in plain TypeScript over typed arrays (a CSR base plus per-node doubling vectors in an arena, merged
// geometrically; bounded graphs drop their oldest segment whole), so benchmarks compare the same
// algorithm in JS and in wasm.
import { SEGMENTS } from "../../assembly/constants.js";

const MIN_MERGE_EDGES = 1 << 16;
const MAX_DELTA_EDGES = 1 << 22;
// Node record fields, four u32 per node.
const BASE_OFFSET = 0;
const BASE_DEGREE = 1;
const DELTA_OFFSET = 2;
const DELTA_LENGTH = 3;

function grown(array: Uint32Array<ArrayBuffer>, needed: number): Uint32Array<ArrayBuffer> {
  let capacity = Math.max(array.length, 1024);
  while (capacity < needed) capacity *= 2;
  if (capacity === array.length) return array;
  const bigger = new Uint32Array(capacity);
  bigger.set(array);
  return bigger;
}

/** An AdjacencyLists' arrays and counters, as a snapshot holds them. */
export interface AdjacencyState {
  nodes: Uint32Array<ArrayBuffer>;
  nodeCount: number;
  base: Uint32Array<ArrayBuffer>;
  baseEdges: number;
  arena: Uint32Array<ArrayBuffer>;
  arenaTop: number;
  deltaEdges: number;
  segmentCounts: Uint32Array<ArrayBuffer>;
}

export interface GraphState {
  users: AdjacencyState;
  items: AdjacencyState;
  sealedSegments: number;
  droppedSegments: number;
}

class AdjacencyLists {
  private nodes = new Uint32Array(0);
  private nodeCount = 0;
  private base = new Uint32Array(0);
  baseEdges = 0;
  private arena = new Uint32Array(0);
  private arenaTop = 0;
  deltaEdges = 0;
  private segmentCounts = new Uint32Array(0);

  constructor(private readonly bounded: boolean) {}

  degree(node: number): number {
    const r = node * 4;
    return node < this.nodeCount ? this.nodes[r + BASE_DEGREE]! + this.nodes[r + DELTA_LENGTH]! : 0;
  }

  edgeAt(node: number, position: number): number {
    const r = node * 4;
    const baseDegree = this.nodes[r + BASE_DEGREE]!;
    return position < baseDegree
      ? this.base[this.nodes[r + BASE_OFFSET]! + position]!
      : this.arena[this.nodes[r + DELTA_OFFSET]! + position - baseDegree]!;
  }

  /** The node's edge targets, base then delta (each in arrival order). */
  targets(node: number): number[] {
    return Array.from({ length: this.degree(node) }, (_, position) => this.edgeAt(node, position));
  }

  ensureNodes(count: number): void {
    if (count <= this.nodeCount) return;
    this.nodes = grown(this.nodes, count * 4);
    if (this.bounded) this.segmentCounts = grown(this.segmentCounts, count * SEGMENTS);
    for (let node = this.nodeCount; node < count; node++) this.nodes[node * 4 + BASE_OFFSET] = this.baseEdges;
    this.nodeCount = count;
  }

  append(node: number, target: number): void {
    const r = node * 4;
    const length = this.nodes[r + DELTA_LENGTH]!;
    // A vector's capacity is its length rounded up to a power of two: full exactly when length is one.
    if ((length & (length - 1)) === 0) {
      const moved = this.arenaAllocate(length === 0 ? 1 : length * 2);
      const offset = this.nodes[r + DELTA_OFFSET]!;
      this.arena.copyWithin(moved, offset, offset + length);
      this.nodes[r + DELTA_OFFSET] = moved;
    }
    this.arena[this.nodes[r + DELTA_OFFSET]! + length] = target;
    this.nodes[r + DELTA_LENGTH] = length + 1;
    this.deltaEdges++;
  }

  private arenaAllocate(slots: number): number {
    const offset = this.arenaTop;
    this.arenaTop += slots;
    if (this.arenaTop > this.arena.length) this.arena = grown(this.arena, Math.max(this.arenaTop, 65536));
    return offset;
  }

  dropSegment(segment: number): void {
    let written = 0;
    for (let node = 0; node < this.nodeCount; node++) {
      const r = node * 4;
      const counter = node * SEGMENTS + (segment % SEGMENTS);
      const dropped = this.segmentCounts[counter]!;
      this.segmentCounts[counter] = 0;
      const kept = this.nodes[r + BASE_DEGREE]! - dropped;
      const from = this.nodes[r + BASE_OFFSET]! + dropped;
      this.base.copyWithin(written, from, from + kept);
      this.nodes[r + BASE_OFFSET] = written;
      this.nodes[r + BASE_DEGREE] = kept;
      written += kept;
    }
    this.baseEdges = written;
  }

  /** Folds the delta into a new base in node order, each node's edges still in arrival order. */
  merge(segment: number): void {
    const base = new Uint32Array(this.baseEdges + this.deltaEdges);
    let written = 0;
    for (let node = 0; node < this.nodeCount; node++) {
      const r = node * 4;
      const baseOffset = this.nodes[r + BASE_OFFSET]!;
      const baseDegree = this.nodes[r + BASE_DEGREE]!;
      const deltaOffset = this.nodes[r + DELTA_OFFSET]!;
      const deltaLength = this.nodes[r + DELTA_LENGTH]!;
      base.set(this.base.subarray(baseOffset, baseOffset + baseDegree), written);
      base.set(this.arena.subarray(deltaOffset, deltaOffset + deltaLength), written + baseDegree);
      if (this.bounded) this.segmentCounts[node * SEGMENTS + (segment % SEGMENTS)] = deltaLength;
      this.nodes.set([written, baseDegree + deltaLength, 0, 0], r);
      written += baseDegree + deltaLength;
    }
    this.base = base;
    this.baseEdges = written;
    this.deltaEdges = 0;
    this.arenaTop = 0;
  }

  bytes(): number {
    return this.nodes.byteLength + this.base.byteLength + this.arena.byteLength + this.segmentCounts.byteLength;
  }

  /** The live arrays, not copies: a snapshot serializes them at once. */
  state(): AdjacencyState {
    const { nodes, nodeCount, base, baseEdges, arena, arenaTop, deltaEdges, segmentCounts } = this;
    return { nodes, nodeCount, base, baseEdges, arena, arenaTop, deltaEdges, segmentCounts };
  }

  restore(state: AdjacencyState): void {
    ({
      nodes: this.nodes,
      nodeCount: this.nodeCount,
      base: this.base,
      baseEdges: this.baseEdges,
      arena: this.arena,
      arenaTop: this.arenaTop,
      deltaEdges: this.deltaEdges,
      segmentCounts: this.segmentCounts,
    } = state);
  }
}

export class ReferenceGraph {
  readonly users: AdjacencyLists;
  readonly items: AdjacencyLists;
  private readonly segmentEdges: number;
  private sealedSegments = 0;
  private droppedSegments = 0;

  constructor(maxEdges: number) {
    this.segmentEdges = maxEdges > 0 ? Math.max(1, Math.floor(maxEdges / SEGMENTS)) : 0;
    this.users = new AdjacencyLists(maxEdges > 0);
    this.items = new AdjacencyLists(maxEdges > 0);
  }

  append(user: number, item: number): void {
    if (this.segmentEdges > 0 && this.users.deltaEdges === this.segmentEdges) this.sealSegment();
    this.users.ensureNodes(user + 1);
    this.items.ensureNodes(item + 1);
    this.users.append(user, item);
    this.items.append(item, user);
    if (this.segmentEdges === 0 && this.users.deltaEdges >= Math.min(MAX_DELTA_EDGES, Math.max(MIN_MERGE_EDGES, this.users.baseEdges >>> 2))) {
      this.users.merge(0);
      this.items.merge(0);
    }
  }

  private sealSegment(): void {
    this.users.merge(this.sealedSegments);
    this.items.merge(this.sealedSegments);
    this.sealedSegments++;
    if (this.sealedSegments - this.droppedSegments === SEGMENTS) {
      this.users.dropSegment(this.droppedSegments);
      this.items.dropSegment(this.droppedSegments);
      this.droppedSegments++;
    }
  }

  edges(): number {
    return this.users.baseEdges + this.users.deltaEdges;
  }

  state(): GraphState {
    return { users: this.users.state(), items: this.items.state(), sealedSegments: this.sealedSegments, droppedSegments: this.droppedSegments };
  }

  /** Takes over a state of a graph with the same maxEdges. */
  restore(state: GraphState): void {
    this.users.restore(state.users);
    this.items.restore(state.items);
    this.sealedSegments = state.sealedSegments;
    this.droppedSegments = state.droppedSegments;
  }

  bytes(): number {
    return this.users.bytes() + this.items.bytes();
  }
}
