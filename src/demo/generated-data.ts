// The embedded demo's starting data: a generated catalogue (names) and history (events).
import { setImmediate } from "node:timers/promises";
import type { IngestResult } from "../events.js";
import type { LfmGenerator } from "../ingest/generator.js";
import type { ProfileStore } from "../profile-store.js";
import { EPOCH_MS } from "../validation.js";

export interface GeneratedLoadOptions {
  events: number;
  /** Hears each applied batch, e.g. for progress and metrics. */
  onIngest?: (result: IngestResult) => void;
  signal?: AbortSignal;
}

/**
 * Sets the names of every generated artist, album and track, then applies `events` events. Yields
 * to the event loop between batches, so that a server started beforehand keeps answering.
 */
export async function loadGeneratedData(store: ProfileStore, generator: LfmGenerator, options: GeneratedLoadOptions): Promise<void> {
  const { artists, albums, tracks } = generator.catalogue;
  store.setNames("ARTIST", artists);
  store.setNames("ALBUM", albums.map(([id, name]) => [id, name] as const));
  store.setNames("TRACK", tracks.map(([id, name]) => [id, name] as const));
  for (const batch of generator.eventBatches(options.events)) {
    options.signal?.throwIfAborted();
    const result = store.ingest(batch, EPOCH_MS);
    options.onIngest?.(result);
    await setImmediate();
  }
}
