// Streams every applied listening event to subscribers. A slow subscriber never holds up ingest: each
// has a bounded queue, and when it is full the oldest event is dropped and counted. Subscribers are
// capped; the store is listened to only while someone subscribes.
import type { ProfileStore } from "../profile-store.js";
import type { EventBatch, ListeningEvent } from "../types.js";

export interface EventHubOptions {
  /** Events queued per subscriber before the oldest are dropped (default 1000). */
  queueSize?: number;
  /** Most subscribers at once (default 1000). */
  maxSubscribers?: number;
}

export interface EventHubStats {
  subscribers: number;
  /** Events queued for a subscriber (one per subscriber), and of those dropped unsent from full queues. */
  queued: number;
  dropped: number;
}

/** Refused because the hub has as many subscribers as it allows. */
export class TooManySubscribersError extends Error {}

class Subscriber implements AsyncIterableIterator<ListeningEvent> {
  private readonly queue: Array<ListeningEvent | undefined>;
  private head = 0;
  private length = 0;
  private waiting?: (result: IteratorResult<ListeningEvent>) => void;
  private done = false;

  constructor(
    size: number,
    private readonly hub: EventHub,
  ) {
    this.queue = new Array(size);
  }

  /** Queues an event; returns true when the oldest had to be dropped for it. */
  push(event: ListeningEvent): boolean {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
      return false;
    }
    const size = this.queue.length;
    const full = this.length === size;
    if (full) {
      this.head = (this.head + 1) % size;
      this.length--;
    }
    this.queue[(this.head + this.length) % size] = event;
    this.length++;
    return full;
  }

  next(): Promise<IteratorResult<ListeningEvent>> {
    if (this.length > 0) {
      const event = this.queue[this.head]!;
      this.queue[this.head] = undefined;
      this.head = (this.head + 1) % this.queue.length;
      this.length--;
      return Promise.resolve({ value: event, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<ListeningEvent>> {
    this.done = true;
    this.length = 0;
    this.hub.remove(this);
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly queueSize: number;
  private readonly maxSubscribers: number;
  private stopListening?: () => void;
  private queued = 0;
  private dropped = 0;

  constructor(
    private readonly store: ProfileStore,
    options: EventHubOptions = {},
  ) {
    this.queueSize = options.queueSize ?? 1000;
    this.maxSubscribers = options.maxSubscribers ?? 1000;
  }

  /** A stream of the events applied from now on; end it with `return()`. */
  subscribe(): AsyncIterableIterator<ListeningEvent> {
    if (this.subscribers.size >= this.maxSubscribers) {
      throw new TooManySubscribersError(`the service has its most subscribers (${this.maxSubscribers}); try again later`);
    }
    const subscriber = new Subscriber(this.queueSize, this);
    this.subscribers.add(subscriber);
    this.stopListening ??= this.store.onEvents((events, count) => this.publish(events, count));
    return subscriber;
  }

  /** Ends every subscription (at shutdown). */
  close(): void {
    for (const subscriber of [...this.subscribers]) void subscriber.return();
  }

  stats(): EventHubStats {
    return { subscribers: this.subscribers.size, queued: this.queued, dropped: this.dropped };
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0) return;
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private publish(events: EventBatch, count: number): void {
    // Only the newest events can reach a subscriber through a full queue: build no more objects than that.
    for (let row = Math.max(0, count - this.queueSize); row < count; row++) {
      const event: ListeningEvent = {
        userId: events.userId[row]!,
        artistId: events.artistId[row]!,
        albumId: events.albumId[row]!,
        trackId: events.trackId[row]!,
        timestamp: events.timestamp[row]!,
      };
      for (const subscriber of this.subscribers) if (subscriber.push(event)) this.dropped++;
    }
    this.queued += count * this.subscribers.size;
    if (count > this.queueSize) this.dropped += (count - this.queueSize) * this.subscribers.size;
  }
}
