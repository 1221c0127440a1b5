// The project's own recommenders through the SDK: the training pairs ingested into a ProfileStore as
// listening events under their real ids (one per pair, or one per play as a live stream would), then
// store.recommend on the ARTIST graph with a request's options (a preset, SALSA or exact-walk
// parameters). The store excludes the user's items itself.
import { ProfileStore } from "../profile-store.js";
import { EPOCH_MS, type RecommendOptions } from "../validation.js";
import type { Interactions } from "./interactions.js";
import type { Recommender } from "./recommender.js";

/** One edge per distinct (user, item) pair, or one per play (the seed's multigraph). */
export const TRAINING_EDGES = ["pair", "play"] as const;
export type TrainingEdges = (typeof TRAINING_EDGES)[number];

export interface StoreSettings {
  edges: TrainingEdges;
  /** What every request asks for, besides its limit. */
  request: Omit<RecommendOptions, "limit">;
}

const BATCH_ROWS = 65536;

export class StoreRecommender implements Recommender {
  private store: ProfileStore | undefined;
  private userIds: number[] = [];
  private itemIndex = new Map<number, number>();

  constructor(private readonly settings: StoreSettings) {}

  async fit(training: Interactions): Promise<void> {
    this.store = await ProfileStore.create();
    this.userIds = training.userIds;
    this.itemIndex = new Map(training.itemIds.map((id, index) => [id, index]));
    const batch = new EventRows(this.store);
    training.users.forEach((history, user) => {
      history.items.forEach((item, i) => {
        const edges = this.settings.edges === "play" ? history.plays[i]! : 1;
        for (let e = 0; e < edges; e++) batch.add(training.userIds[user]!, training.itemIds[item]!);
      });
    });
    batch.flush();
    this.store.compact();
  }

  recommend(user: number, k: number): number[] {
    const answer = this.store!.recommend(this.userIds[user]!, "ARTIST", { ...this.settings.request, limit: k });
    return answer.recommendations.map((row) => this.itemIndex.get(row.id)!);
  }
}

/** Events in fixed-size columns, ingested whenever full: bounded memory even at one event per play. */
class EventRows {
  private readonly userId = new Float64Array(BATCH_ROWS);
  private readonly artistId = new Float64Array(BATCH_ROWS);
  // Album, track and time play no part in artist recommendations.
  private readonly zeros = new Float64Array(BATCH_ROWS);
  private count = 0;

  constructor(private readonly store: ProfileStore) {}

  add(userId: number, artistId: number): void {
    this.userId[this.count] = userId;
    this.artistId[this.count] = artistId;
    if (++this.count === BATCH_ROWS) this.flush();
  }

  flush(): void {
    const rows = (column: Float64Array) => column.subarray(0, this.count);
    const result = this.store.ingest(
      { userId: rows(this.userId), artistId: rows(this.artistId), albumId: rows(this.zeros), trackId: rows(this.zeros), timestamp: rows(this.zeros) },
      EPOCH_MS,
    );
    if (result.rejected > 0) throw new Error(`the store rejected ${result.rejected} training events`);
    this.count = 0;
  }
}
