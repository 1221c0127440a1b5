import { EVENT_COLUMNS, type EventBatch } from "../types.js";

export function allocateBatch(rows: number): EventBatch {
  return {
    userId: new Float64Array(rows),
    artistId: new Float64Array(rows),
    albumId: new Float64Array(rows),
    trackId: new Float64Array(rows),
    timestamp: new Float64Array(rows),
  };
}

/** Views of the first `rows` rows (no copy), for a last batch that is not full. */
export function firstRows(batch: EventBatch, rows: number): EventBatch {
  if (rows === batch.userId.length) return batch;
  const view = {} as EventBatch;
  for (const name of EVENT_COLUMNS) view[name] = batch[name].subarray(0, rows);
  return view;
}
