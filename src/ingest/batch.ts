import type { EventColumns } from "../types.js";

/** Events in columns, every column exactly `length` long; timestamps are epoch ms. */
export interface EventBatch extends EventColumns {
  userId: Float64Array;
  artistId: Float64Array;
  albumId: Float64Array;
  trackId: Float64Array;
  timestamp: Float64Array;
  length: number;
}

export function allocateBatch(capacity: number): EventBatch {
  return {
    userId: new Float64Array(capacity),
    artistId: new Float64Array(capacity),
    albumId: new Float64Array(capacity),
    trackId: new Float64Array(capacity),
    timestamp: new Float64Array(capacity),
    length: capacity,
  };
}

/** Views of the first `length` rows (no copy), for a last batch that is not full. */
export function truncateBatch(batch: EventBatch, length: number): EventBatch {
  if (length === batch.length) return batch;
  return {
    userId: batch.userId.subarray(0, length),
    artistId: batch.artistId.subarray(0, length),
    albumId: batch.albumId.subarray(0, length),
    trackId: batch.trackId.subarray(0, length),
    timestamp: batch.timestamp.subarray(0, length),
    length,
  };
}
