// The memory one recommendation request works in, one per thread: SALSA's walker state and visit
// counters, the exact walk's per-user and per-item accumulators, and the result rows. Every array is
// left cleared by the request that used it, so the next one starts from zeros without a pass.
import { MAX_HUB_CAP, MAX_NEIGHBOURS, MAX_RIDGE_ENTRIES, MAX_RIDGE_NEIGHBOURS, MAX_WALKS, OUTPUT_ROWS } from "./constants";
import { alloc, free, resize } from "./memory";

/** A neighbour heap entry: similarity (f64) and user (u32), padded. */
export const NEIGHBOUR_BYTES: usize = 16;

/** The parameters of one exact walk (assembly/exact-walk.ts), written by `recommendExact`. */
@unmanaged
export class ExactWalkParams {
  neighbours: u32 = 0;
  itemExponent: f64 = 1;
  userExponent: f64 = 1;
  popularityPenalty: f64 = 0;
  hubCap: u32 = 1;
  /** WEIGHT_PAIR, WEIGHT_PLAY or WEIGHT_LOG (assembly/constants.ts). */
  weighting: u32 = 0;
  /** The ridge of the last step's regression (assembly/ridge.ts); 0 weighs co-listeners by similarity. */
  ridge: f64 = 0;
}

@unmanaged
export class WalkScratch {
  positions: usize = alloc(<usize>MAX_WALKS << 2);
  edgeAddresses: usize = alloc(<usize>MAX_WALKS << 2);
  /** Rows of (external id, score) as f64s. */
  output: usize = alloc(<usize>OUTPUT_ROWS << 4);
  /** SALSA, u32 per item: visits; and the items visited, in first-visit order. */
  visits: usize = 0;
  touched: usize = 0;
  capacity: u32 = 0;

  /** Exact walk, per user: similarity (f64), gather stamp and slot (u32), and the users touched. */
  userScores: usize = 0;
  userStamps: usize = 0;
  userSlots: usize = 0;
  touchedUsers: usize = 0;
  userCapacity: u32 = 0;
  /** Exact walk, per item: score (f64), gather stamp and slot (u32), and the items touched. */
  itemScores: usize = 0;
  itemStamps: usize = 0;
  itemSlots: usize = 0;
  touchedItems: usize = 0;
  /** Exact walk: two gather buffers of (target, count) u32 pairs, the query user's and the current node's. */
  queryTargets: usize = alloc(<usize>MAX_HUB_CAP << 3);
  nodeTargets: usize = alloc(<usize>MAX_HUB_CAP << 3);
  neighbourHeap: usize = alloc(<usize>MAX_NEIGHBOURS * NEIGHBOUR_BYTES);
  /**
   * Exact walk with a ridge: the kept co-listeners' edges as (item, co-listener slot) u32 pairs and
   * their weights (f64), the same edges by item (slot u32, weight f64), the Gram
   * matrix and the weights solved for.
   */
  ridgeRows: usize = alloc(<usize>MAX_RIDGE_ENTRIES << 3);
  ridgeValues: usize = alloc(<usize>MAX_RIDGE_ENTRIES << 3);
  ridgeColumns: usize = alloc(<usize>MAX_RIDGE_ENTRIES << 2);
  ridgeColumnValues: usize = alloc(<usize>MAX_RIDGE_ENTRIES << 3);
  ridgeGram: usize = alloc(<usize>MAX_RIDGE_NEIGHBOURS * <usize>MAX_RIDGE_NEIGHBOURS << 3);
  ridgeWeights: usize = alloc(<usize>MAX_RIDGE_NEIGHBOURS << 3);
  exactParams: ExactWalkParams = new ExactWalkParams();
  /** The factor that scales the latest gather's sample up to its node's degree (1 when it read every edge). */
  sampleScale: f64 = 1;
  /** The stamp of the latest gather; the stamp arrays hold older ones or 0. */
  epoch: u32 = 0;

  /** Returns every block to the heap (owning thread only). */
  free(): void {
    free(this.positions);
    free(this.edgeAddresses);
    free(this.output);
    free(this.queryTargets);
    free(this.nodeTargets);
    free(this.neighbourHeap);
    free(this.ridgeRows);
    free(this.ridgeValues);
    free(this.ridgeColumns);
    free(this.ridgeColumnValues);
    free(this.ridgeGram);
    free(this.ridgeWeights);
    free(changetype<usize>(this.exactParams));
    freeIfSet(this.visits);
    freeIfSet(this.touched);
    freeIfSet(this.userScores);
    freeIfSet(this.userStamps);
    freeIfSet(this.userSlots);
    freeIfSet(this.touchedUsers);
    freeIfSet(this.itemScores);
    freeIfSet(this.itemStamps);
    freeIfSet(this.itemSlots);
    freeIfSet(this.touchedItems);
    free(changetype<usize>(this));
  }

  /** Sizes the per-node arrays for `users` and `items`. Allocates: only the thread that owns the heap may call it. */
  ensure(users: u32, items: u32): void {
    if (items > this.capacity) {
      const old = <usize>this.capacity;
      const now = <usize>items;
      this.visits = resize(this.visits, old << 2, now << 2);
      this.touched = resize(this.touched, old << 2, now << 2);
      this.itemScores = resize(this.itemScores, old << 3, now << 3);
      this.itemStamps = resize(this.itemStamps, old << 2, now << 2);
      this.itemSlots = resize(this.itemSlots, old << 2, now << 2);
      this.touchedItems = resize(this.touchedItems, old << 2, now << 2);
      this.capacity = items;
    }
    if (users > this.userCapacity) {
      const old = <usize>this.userCapacity;
      const now = <usize>users;
      this.userScores = resize(this.userScores, old << 3, now << 3);
      this.userStamps = resize(this.userStamps, old << 2, now << 2);
      this.userSlots = resize(this.userSlots, old << 2, now << 2);
      this.touchedUsers = resize(this.touchedUsers, old << 2, now << 2);
      this.userCapacity = users;
    }
  }

  /** A stamp no stamp array holds yet (clearing both when the counter would wrap). */
  nextEpoch(): u32 {
    if (this.epoch == 0xffffffff) {
      memory.fill(this.userStamps, 0, <usize>this.userCapacity << 2);
      memory.fill(this.itemStamps, 0, <usize>this.capacity << 2);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
}

function freeIfSet(block: usize): void {
  if (block != 0) free(block);
}
