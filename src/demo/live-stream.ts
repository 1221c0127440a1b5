// The embedded demo's live traffic: generated listening events applied to the store at a steady
// rate, stamped with the current time, so that profiles, charts and recommendations visibly move.
import type { IngestResult } from "../events.js";
import type { LfmGenerator } from "../ingest/generator.js";
import type { ProfileStore } from "../profile-store.js";
import { EPOCH_MS } from "../validation.js";

export interface LiveStreamOptions {
  eventsPerSecond: number;
  /** Hears each applied batch, e.g. to count it in metrics. */
  onIngest?: (result: IngestResult) => void;
  /** Time between batches (default 100 ms). */
  tickMs?: number;
}

export interface LiveStream {
  stop(): void;
}

/** Starts the stream; the rate follows the clock (not the count of ticks), so a late timer does not slow it. */
export function startLiveStream(store: ProfileStore, generator: LfmGenerator, options: LiveStreamOptions): LiveStream {
  const { eventsPerSecond, onIngest, tickMs = 100 } = options;
  if (!(eventsPerSecond > 0)) throw new RangeError(`eventsPerSecond must be positive, got ${eventsPerSecond}`);
  const started = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const expected = Math.floor(((now - started) * eventsPerSecond) / 1000);
    // After a long stall, events more than a second late are skipped rather than sent in a burst.
    sent = Math.max(sent, expected - Math.ceil(eventsPerSecond));
    const due = expected - sent;
    if (due <= 0) return;
    const events = generator.nextEvents(due);
    for (const event of events) event.timestamp = now;
    sent += due;
    const result = store.ingest(events, EPOCH_MS);
    onIngest?.(result);
  }, tickMs);
  // The stream alone should not keep a process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
