// SALSA random walks (docs/salsa.md#the-walk), all walkers advanced together one half-step at a time.
// Each half-step runs in two passes: the first reads node records and picks edge addresses for every
// walker, the second reads the picked edges. The reads inside a pass are independent, so the CPU
// overlaps their cache misses instead of waiting for each walker's chain in turn.
// Walking only counts visits; scoring.ts turns visits into results.
// A walk writes only to its WalkScratch, so walks with different scratches may run at once on
// threads sharing the memory, as long as nothing changes the graph meanwhile.
import { BipartiteGraph } from "./graph";
import { nextRandom, randomBelow, seedRandom } from "./random";
import { WalkScratch } from "./scratch";

/** Position of a walker that reset: it waits at the query user through the next item -> user step. */
const WAITING: u32 = 0xffffffff;

/**
 * Walks `walks` walkers from `queryUser` for `walkLength` half-steps, adding one to `visits[item]` on
 * every user -> item move and appending first-visited items to `touched`. Returns the touched count.
 * `resetThreshold` is resetProbability * 2^32: a draw below it resets the walker.
 */
export function walk(
  graph: BipartiteGraph,
  queryUser: u32,
  walks: u32,
  walkLength: u32,
  resetThreshold: u64,
  seed: u32,
  scratch: WalkScratch,
): u32 {
  seedRandom(seed);
  const positions = scratch.positions;
  for (let w: u32 = 0; w < walks; w++) store<u32>(positions + (<usize>w << 2), queryUser);
  let touchedCount: u32 = 0;
  for (let step: u32 = 0; step < walkLength; step++) {
    if ((step & 1) == 0) touchedCount = userToItem(graph, walks, resetThreshold, scratch, touchedCount);
    else itemToUser(graph, walks, queryUser, scratch);
  }
  return touchedCount;
}

function userToItem(
  graph: BipartiteGraph,
  walks: u32,
  resetThreshold: u64,
  scratch: WalkScratch,
  touchedCount: u32,
): u32 {
  const users = graph.users;
  const positions = scratch.positions;
  const edgeAddresses = scratch.edgeAddresses;
  const visits = scratch.visits;
  const touched = scratch.touched;
  for (let w: u32 = 0; w < walks; w++) {
    const slot = <usize>w << 2;
    if (<u64>nextRandom() < resetThreshold) {
      store<u32>(edgeAddresses + slot, 0);
      continue;
    }
    const user = load<u32>(positions + slot);
    store<u32>(edgeAddresses + slot, <u32>users.edgeAddress(user, randomBelow(users.degree(user))));
  }
  for (let w: u32 = 0; w < walks; w++) {
    const slot = <usize>w << 2;
    const address = load<u32>(edgeAddresses + slot);
    if (address == 0) {
      store<u32>(positions + slot, WAITING);
      continue;
    }
    const item = load<u32>(address);
    store<u32>(positions + slot, item);
    const counter = visits + (<usize>item << 2);
    const count = load<u32>(counter);
    if (count == 0) {
      store<u32>(touched + (<usize>touchedCount << 2), item);
      touchedCount++;
    }
    store<u32>(counter, count + 1);
  }
  return touchedCount;
}

function itemToUser(graph: BipartiteGraph, walks: u32, queryUser: u32, scratch: WalkScratch): void {
  const items = graph.items;
  const positions = scratch.positions;
  const edgeAddresses = scratch.edgeAddresses;
  for (let w: u32 = 0; w < walks; w++) {
    const slot = <usize>w << 2;
    const item = load<u32>(positions + slot);
    store<u32>(edgeAddresses + slot, item == WAITING ? 0 : <u32>items.edgeAddress(item, randomBelow(items.degree(item))));
  }
  for (let w: u32 = 0; w < walks; w++) {
    const slot = <usize>w << 2;
    const address = load<u32>(edgeAddresses + slot);
    store<u32>(positions + slot, address == 0 ? queryUser : load<u32>(address));
  }
}
