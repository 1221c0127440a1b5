// An oracle independent of both engines: the semantics of docs/data.md and docs/salsa.md written the
// plainest way. Per node a JavaScript array of edges (no CSR, no delta, no merge), metrics and play
// counts in Maps, charts sorted from scratch on every read, and SALSA as exact probabilities instead
// of walks.
//
// A bounded graph is described by what it keeps, not by how: the edges of a field's graph are numbered
// in arrival order and cut into segments of floor(maxEdgesPerGraph / SEGMENTS) consecutive edges; the
// graph holds the newest SEGMENTS segments, the last of which may be partly filled.
import { SEGMENTS } from "../../assembly/constants.js";
import { FIELDS, type Field, type ListeningEvent, type Profile } from "../../src/types.js";

export type Side = "user" | "item";

const FIELD_KEY: Record<Field, "artistId" | "albumId" | "trackId"> = { ARTIST: "artistId", ALBUM: "albumId", TRACK: "trackId" };

interface NaiveEdge {
  /** The id at the other end. */
  target: number;
  /** Arrival number of the edge in its graph, from 0. */
  sequence: number;
}

class NaiveGraph {
  private readonly edges: Record<Side, Map<number, NaiveEdge[]>> = { user: new Map(), item: new Map() };
  private appended = 0;

  /** Edges per segment when bounded, 0 when unbounded. */
  constructor(private readonly segmentEdges: number) {}

  append(userId: number, itemId: number): void {
    const sequence = this.appended++;
    push(this.edges.user, userId, { target: itemId, sequence });
    push(this.edges.item, itemId, { target: userId, sequence });
  }

  /** Arrival number of the oldest edge the graph still holds. */
  private oldestKept(): number {
    if (this.segmentEdges === 0 || this.appended === 0) return 0;
    const newestSegment = Math.floor((this.appended - 1) / this.segmentEdges);
    return Math.max(0, newestSegment - (SEGMENTS - 1)) * this.segmentEdges;
  }

  neighbours(side: Side, id: number): number[] {
    const oldest = this.oldestKept();
    return (this.edges[side].get(id) ?? []).filter((edge) => edge.sequence >= oldest).map((edge) => edge.target);
  }

  /** Every node of one side that ever had an edge (also those whose edges were all dropped since). */
  nodes(side: Side): number[] {
    return [...this.edges[side].keys()];
  }

  edgeCount(): number {
    return this.appended - this.oldestKept();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class NaiveModel {
  private readonly profiles = new Map<number, Profile>();
  /** Per field: userId -> itemId -> plays. */
  private readonly plays: Record<Field, Map<number, Map<number, number>>> = { ARTIST: new Map(), ALBUM: new Map(), TRACK: new Map() };
  readonly graphs: Record<Field, NaiveGraph>;

  constructor(options: { maxEdgesPerGraph?: number } = {}) {
    const maxEdges = options.maxEdgesPerGraph ?? 0;
    const segmentEdges = maxEdges > 0 ? Math.max(1, Math.floor(maxEdges / SEGMENTS)) : 0;
    this.graphs = { ARTIST: new NaiveGraph(segmentEdges), ALBUM: new NaiveGraph(segmentEdges), TRACK: new NaiveGraph(segmentEdges) };
  }

  ingest(events: Iterable<ListeningEvent>): void {
    for (const event of events) {
      const { userId, timestamp } = event;
      const profile = this.profiles.get(userId);
      if (profile) {
        profile.totalListenCount++;
        profile.firstListenEvent = Math.min(profile.firstListenEvent, timestamp);
        profile.lastListenEvent = Math.max(profile.lastListenEvent, timestamp);
      } else {
        this.profiles.set(userId, { userId, totalListenCount: 1, firstListenEvent: timestamp, lastListenEvent: timestamp });
      }
      for (const field of FIELDS) {
        const itemId = event[FIELD_KEY[field]];
        let counts = this.plays[field].get(userId);
        if (!counts) this.plays[field].set(userId, (counts = new Map()));
        counts.set(itemId, (counts.get(itemId) ?? 0) + 1);
        this.graphs[field].append(userId, itemId);
      }
    }
  }

  users(): number[] {
    return [...this.profiles.keys()];
  }

  profile(userId: number): Profile | undefined {
    const profile = this.profiles.get(userId);
    return profile && { ...profile };
  }

  /** Every item the user played, with its play count. */
  playsOf(userId: number, field: Field): Map<number, number> {
    return this.plays[field].get(userId) ?? new Map();
  }

  playCount(userId: number, field: Field, itemId: number): number {
    return this.playsOf(userId, field).get(itemId) ?? 0;
  }

  /** Top k by plays descending, then id ascending. */
  chart(userId: number, field: Field, k: number): { id: number; countPlays: number }[] {
    return [...this.playsOf(userId, field)]
      .map(([id, countPlays]) => ({ id, countPlays }))
      .sort((a, b) => b.countPlays - a.countPlays || a.id - b.id)
      .slice(0, k);
  }

  /** The ids at the other end of the node's edges that the graph still holds, one per edge. */
  neighbours(field: Field, side: Side, id: number): number[] {
    return this.graphs[field].neighbours(side, id);
  }

  /**
   * One walker's SALSA visits, exactly: for the items a result can hold (those the query user has no
   * edge to), the expected visits and their covariance, over `walkLength` half-steps with reset
   * probability `reset` (docs/salsa.md). A walker's visit counts are a vector X; `mean[j]` is E[X_j]
   * and `covariance[j][k]` is Cov(X_j, X_k). Items the walk cannot reach are left out.
   */
  walkerVisits(userId: number, field: Field, walkLength: number, reset: number): VisitMoments {
    const graph = this.graphs[field];
    const played = new Set(graph.neighbours("user", userId));
    const users = graph.nodes("user");
    const allItems = graph.nodes("item");
    const userIndex = new Map(users.map((id, i) => [id, i]));
    const itemIndex = new Map(allItems.map((id, i) => [id, i]));
    const query = userIndex.get(userId)!;
    const shares = (side: Side, id: number) => {
      const targets = graph.neighbours(side, id);
      const share = new Map<number, number>();
      for (const target of targets) share.set(target, (share.get(target) ?? 0) + 1 / targets.length);
      return share;
    };
    // visit[v][j]: from user v, the chance this user -> item step visits item j.
    const visit = users.map((id) => {
      const row = new Array<number>(allItems.length).fill(0);
      for (const [item, share] of shares("user", id)) row[itemIndex.get(item)!] += (1 - reset) * share;
      return row;
    });
    // back[j][w]: from item j, the chance the item -> user step lands on user w.
    const back = allItems.map((id) => {
      const row = new Array<number>(users.length).fill(0);
      for (const [user, share] of shares("item", id)) row[userIndex.get(user)!] += share;
      return row;
    });
    // Where a walker stands before each user -> item step: visit j and go back, or reset to the query user.
    const next = (at: number[]) => {
      const after = new Array<number>(users.length).fill(0);
      at.forEach((p, v) => {
        if (p === 0) return;
        after[query] += p * reset;
        visit[v]!.forEach((q, j) => q > 0 && back[j]!.forEach((r, w) => (after[w] += p * q * r)));
      });
      return after;
    };
    const steps = Math.ceil(walkLength / 2);
    const before: number[][] = [users.map((_, v) => (v === query ? 1 : 0))];
    for (let s = 1; s < steps; s++) before.push(next(before[s - 1]!));
    const visitsAt = (at: number[]) => allItems.map((_, j) => at.reduce((sum, p, v) => sum + p * visit[v]![j]!, 0));

    const mean = new Array<number>(allItems.length).fill(0);
    const second = allItems.map(() => new Array<number>(allItems.length).fill(0)); // E[X_j X_k]
    for (let s = 0; s < steps; s++) {
      const once = visitsAt(before[s]!);
      once.forEach((p, j) => {
        mean[j] += p;
        second[j]![j] += p;
      });
      // Visiting j at step s, then k at a later step t: start the later steps from "visited j".
      for (let j = 0; j < allItems.length; j++) {
        if (once[j] === 0) continue;
        let at = users.map(() => 0);
        before[s]!.forEach((p, v) => back[j]!.forEach((r, w) => (at[w] += p * visit[v]![j]! * r)));
        for (let t = s + 1; t < steps; t++) {
          visitsAt(at).forEach((p, k) => {
            second[j]![k] += p;
            second[k]![j] += p;
          });
          at = next(at);
        }
      }
    }
    const kept = allItems.map((_, j) => j).filter((j) => !played.has(allItems[j]!) && mean[j]! > 0);
    return {
      items: kept.map((j) => allItems[j]!),
      mean: kept.map((j) => mean[j]!),
      covariance: kept.map((j) => kept.map((k) => second[j]![k]! - mean[j]! * mean[k]!)),
    };
  }
}

export interface VisitMoments {
  items: number[];
  mean: number[];
  covariance: number[][];
}
