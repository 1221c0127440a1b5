// Publishes profiles to the seed's output topics (counts, firstlisten, lastlisten, topartists,
// topalbums, toptracks). Changed users are coalesced in a set and published at a bounded rate, so a
// burst of events costs one record per user and topic, not one per event.
import type { ProfileStore } from "../profile-store.js";
import { FIELDS, type Field } from "../types.js";
import type { Logger, OutgoingRecord, RecordProducer } from "./client.js";
import { encodeCharts, encodeLong, type ValueFormat } from "./codecs.js";

export interface OutputTopics {
  counts: string;
  firstListen: string;
  lastListen: string;
  topArtists: string;
  topAlbums: string;
  topTracks: string;
}

export const DEFAULT_OUTPUT_TOPICS: OutputTopics = {
  counts: "counts",
  firstListen: "firstlisten",
  lastListen: "lastlisten",
  topArtists: "topartists",
  topAlbums: "topalbums",
  topTracks: "toptracks",
};

export interface ProfileOutputOptions {
  topics?: Partial<OutputTopics>;
  /** Encoding of the chart topics (default "avro", as the seed); the metric topics are always longs. */
  format?: ValueFormat;
  /** Schema id written into the Avro framing (default 0; no registry is consulted). */
  schemaId?: number;
  /** Most users published per second (default 1000); each user is 6 records. */
  usersPerSecond?: number;
}

export interface ProfileOutputStats {
  publishedUsers: number;
  pendingUsers: number;
  failedSends: number;
}

const TICK_MS = 100;
const RETRY_AFTER_FAILURE_MS = 5000;
const CHART_TOPIC: Record<Field, keyof OutputTopics> = { ARTIST: "topArtists", ALBUM: "topAlbums", TRACK: "topTracks" };

/** The seed's output topic names, with those given (and not undefined) in their place. */
export function outputTopicNames(options: ProfileOutputOptions): OutputTopics {
  const names = { ...DEFAULT_OUTPUT_TOPICS };
  for (const [name, topic] of Object.entries(options.topics ?? {})) if (topic !== undefined) names[name as keyof OutputTopics] = topic;
  return names;
}

export class ProfilePublisher {
  private readonly topics: OutputTopics;
  private readonly pending = new Set<number>();
  private readonly usersPerTick: number;
  private publishedUsers = 0;
  private failedSends = 0;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly store: ProfileStore,
    private readonly producer: RecordProducer,
    private readonly options: ProfileOutputOptions,
    private readonly logger: Logger,
  ) {
    this.topics = outputTopicNames(options);
    this.usersPerTick = Math.max(1, Math.round(((options.usersPerSecond ?? 1000) * TICK_MS) / 1000));
  }

  markChanged(userIds: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) this.pending.add(userIds[i]);
  }

  /** Starts publishing; the event consumer calls this once caught up, so replayed history is not published mid-way. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.publishLoop();
  }

  stats(): ProfileOutputStats {
    return { publishedUsers: this.publishedUsers, pendingUsers: this.pending.size, failedSends: this.failedSends };
  }

  /** Stops after the send in progress; users still pending are dropped (a restart replays and publishes them). */
  async close(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async publishLoop(): Promise<void> {
    while (this.running) {
      const failed = !(await this.publishSome());
      await this.sleep(failed ? RETRY_AFTER_FAILURE_MS : TICK_MS);
    }
  }

  /** Publishes up to one tick's share of pending users; false when the send failed (they stay pending). */
  private async publishSome(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    const users: number[] = [];
    for (const userId of this.pending) {
      if (users.length === this.usersPerTick) break;
      users.push(userId);
    }
    for (const userId of users) this.pending.delete(userId);
    try {
      await this.send(users);
      this.publishedUsers += users.length;
      return true;
    } catch (error) {
      for (const userId of users) this.pending.add(userId);
      this.failedSends++;
      this.logger.warn(`publishing profiles failed, retrying in ${RETRY_AFTER_FAILURE_MS / 1000} s: ${(error as Error).message}`);
      return false;
    }
  }

  private send(users: number[]): Promise<unknown> {
    const records: Record<keyof OutputTopics, OutgoingRecord[]> = {
      counts: [],
      firstListen: [],
      lastListen: [],
      topArtists: [],
      topAlbums: [],
      topTracks: [],
    };
    const { format = "avro", schemaId = 0 } = this.options;
    for (const userId of users) {
      const profile = this.store.profile(userId);
      if (profile === undefined) continue;
      const key = encodeLong(userId);
      records.counts.push({ key, value: encodeLong(profile.totalListenCount) });
      records.firstListen.push({ key, value: encodeLong(profile.firstListenEvent) });
      records.lastListen.push({ key, value: encodeLong(profile.lastListenEvent) });
      for (const field of FIELDS) {
        records[CHART_TOPIC[field]].push({ key, value: encodeCharts(this.store.charts(userId, field), format, schemaId) });
      }
    }
    const sends = Object.entries(records).map(([name, list]) => this.producer.send(this.topics[name as keyof OutputTopics], list));
    return Promise.all(sends);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
