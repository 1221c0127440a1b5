// Reads the listening events of an LFM-1b directory (through the project's reader) as interaction
// data on artists: per user, the artists with their play counts and the events in time order.
import { findEventFiles, readEventBatches } from "../ingest/lfm1b.js";
import { InteractionsBuilder, type Interactions } from "./interactions.js";

export interface Lfm1bLoadSummary {
  data: Interactions;
  events: number;
  /** Lines the reader skipped as bad. */
  badLines: number;
}

export async function loadLfm1bInteractions(dir: string): Promise<Lfm1bLoadSummary> {
  const builder = new InteractionsBuilder();
  let events = 0;
  let badLines = 0;
  for (const path of await findEventFiles(dir)) {
    for await (const batch of readEventBatches(path, { onBadLine: () => badLines++ })) {
      for (let i = 0; i < batch.userId.length; i++) builder.addEvent(batch.userId[i]!, batch.artistId[i]!, batch.timestamp[i]!);
      events += batch.userId.length;
    }
  }
  return { data: builder.build(), events, badLines };
}
