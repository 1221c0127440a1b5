import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventBatch } from "../src/types.js";
import { createGenerator, GENERATOR_DEFAULTS, type GeneratorOptions } from "../src/ingest/generator.js";
import { allocateBatch } from "../src/ingest/batch.js";
import { readEventBatches, readItemNames } from "../src/ingest/lfm1b.js";
import { writeLfm1bDataset } from "../src/ingest/lfm1b-writer.js";

const SMALL: GeneratorOptions = { users: 200, artists: 500, events: 20_000 };

function concat(batches: Iterable<EventBatch>) {
  const list = [...batches];
  const column = (key: keyof EventBatch) => {
    const all = new Float64Array(list.reduce((sum, batch) => sum + batch.userId.length, 0));
    let at = 0;
    for (const batch of list) {
      all.set(batch[key], at);
      at += batch.userId.length;
    }
    return all;
  };
  return {
    userId: column("userId"),
    artistId: column("artistId"),
    albumId: column("albumId"),
    trackId: column("trackId"),
    timestamp: column("timestamp"),
  };
}

function countBy(values: Float64Array): number[] {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
}

function shareOfTop(counts: number[], fraction: number): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const top = counts.slice(0, Math.max(1, Math.round(counts.length * fraction)));
  return top.reduce((sum, count) => sum + count, 0) / total;
}

describe("createGenerator determinism", () => {
  it("gives identical events and catalogue for the same seed", () => {
    const a = createGenerator({ ...SMALL, seed: 42 });
    const b = createGenerator({ ...SMALL, seed: 42 });
    expect(concat(a.eventBatches(5000, 1000))).toEqual(concat(b.eventBatches(5000, 1000)));
    expect(a.catalogue).toEqual(b.catalogue);
    expect(a.nextEvents(10)).toEqual(b.nextEvents(10));
  });

  it("gives different events, ids and names for another seed", () => {
    const a = createGenerator({ ...SMALL, seed: 1 });
    const b = createGenerator({ ...SMALL, seed: 2 });
    const eventsA = concat(a.eventBatches(1000));
    const eventsB = concat(b.eventBatches(1000));
    expect(eventsA.userId).not.toEqual(eventsB.userId);
    expect(eventsA.timestamp).not.toEqual(eventsB.timestamp);
    expect(a.catalogue.artists.slice(0, 20)).not.toEqual(b.catalogue.artists.slice(0, 20));
  });

  it("continues one stream across eventBatches and nextEvents", () => {
    const whole = concat(createGenerator(SMALL).eventBatches(30, 7));
    const split = createGenerator(SMALL);
    const first = concat(split.eventBatches(20, 7));
    const next = split.nextEvents(10);
    expect([...first.userId, ...next.map((event) => event.userId)]).toEqual([...whole.userId]);
    expect([...first.timestamp, ...next.map((event) => event.timestamp)]).toEqual([...whole.timestamp]);
    expect(Object.keys(next[0]).sort()).toEqual(["albumId", "artistId", "timestamp", "trackId", "userId"]);
  });
});

describe("eventBatches", () => {
  it("yields fresh batches of batchSize, the last one shorter", () => {
    const batches = [...createGenerator(SMALL).eventBatches(2500, 1000)];
    expect(batches.map((batch) => batch.userId.length)).toEqual([1000, 1000, 500]);
    expect(batches[2].trackId.length).toBe(500);
    expect(new Set(batches.map((batch) => batch.userId.buffer)).size).toBe(3);
    expect(batches[0].userId).toBeInstanceOf(Float64Array);
  });

  it("fill writes the same stream into a reused batch", () => {
    const whole = concat(createGenerator(SMALL).eventBatches(3000, 1000));
    const reusing = createGenerator(SMALL);
    const batch = allocateBatch(1000);
    const filled = [0, 1, 2].map(() => structuredClone(reusing.fill(batch)));
    expect(concat(filled)).toEqual(whole);
    expect(reusing.fill(batch)).toBe(batch);
  });

  it("defaults to the planned number of events", () => {
    const total = [...createGenerator({ ...SMALL, events: 1234 }).eventBatches()].reduce((n, b) => n + b.userId.length, 0);
    expect(total).toBe(1234);
  });
});

describe("the generated catalogue", () => {
  const generator = createGenerator(SMALL);
  const { artists, albums, tracks } = generator.catalogue;
  const events = concat(generator.eventBatches(20_000));

  it("counts its rows without making them, and makes them one kind at a time in the same order", () => {
    expect(generator.catalogueSizes).toEqual({ artists: artists.length, albums: albums.length, tracks: tracks.length });
    expect([...createGenerator(SMALL).catalogueOf("tracks")]).toEqual(tracks);
  });

  it("has sparse, distinct, positive integer ids per kind", () => {
    for (const rows of [artists, albums, tracks]) {
      const ids = rows.map((row) => row[0]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
      expect(Math.max(...ids)).toBeGreaterThan(2 * ids.length);
    }
    expect(artists).toHaveLength(500);
    expect(albums.length / artists.length).toBeGreaterThan(1.5);
    expect(tracks.length / albums.length).toBeGreaterThanOrEqual(5);
    expect(tracks.length / albums.length).toBeLessThanOrEqual(15);
  });

  it("has readable names, some needing quotes", () => {
    expect(artists.every(([, name]) => /^[A-Z][a-z]+( [A-Z]?[a-z]+)*$|^The [A-Z][a-z]+s$/.test(name))).toBe(true);
    expect(tracks.filter(([, name]) => name.includes('"')).length).toBeGreaterThan(0);
  });

  it("links every event's album and track to its artist", () => {
    const artistOfAlbum = new Map(albums.map(([id, , artistId]) => [id, artistId]));
    const artistOfTrack = new Map(tracks.map(([id, , artistId]) => [id, artistId]));
    const artistIds = new Set(artists.map(([id]) => id));
    const inconsistent: number[] = [];
    for (let i = 0; i < events.userId.length; i++) {
      const artistId = events.artistId[i];
      const known = artistIds.has(artistId);
      if (!known || artistOfAlbum.get(events.albumId[i]) !== artistId || artistOfTrack.get(events.trackId[i]) !== artistId) {
        inconsistent.push(i);
      }
    }
    expect(inconsistent).toEqual([]);
  });
});

describe("the generated listening", () => {
  const generator = createGenerator({ seed: 3 });
  const events = concat(generator.eventBatches(200_000));

  it("has heavy-tailed user activity and artist popularity", () => {
    expect(shareOfTop(countBy(events.userId), 0.01)).toBeGreaterThan(0.15);
    expect(shareOfTop(countBy(events.artistId), 0.01)).toBeGreaterThan(0.2);
    expect(shareOfTop(countBy(events.artistId), 0.5)).toBeLessThan(0.99);
  });

  it("gives users personal taste: a few artists make most of their plays", () => {
    const playsByUser = new Map<number, number[]>();
    for (let i = 0; i < events.userId.length; i++) {
      const plays = playsByUser.get(events.userId[i]) ?? [];
      plays.push(events.artistId[i]);
      playsByUser.set(events.userId[i], plays);
    }
    const topFiveShare = (plays: ArrayLike<number>) =>
      countBy(Float64Array.from(plays)).slice(0, 5).reduce((a, b) => a + b) / plays.length;
    const shares = [...playsByUser.values()].filter((plays) => plays.length >= 50).map(topFiveShare);
    shares.sort((a, b) => a - b);
    expect(shares.length).toBeGreaterThan(100);
    expect(shares[shares.length >> 1]).toBeGreaterThan(Math.max(0.4, 3 * topFiveShare(events.artistId)));
  });

  it("keeps timestamps in the LFM-1b range, in whole seconds, increasing per user", () => {
    const { startTime, endTime } = GENERATOR_DEFAULTS;
    const last = new Map<number, number>();
    let decreasing = 0;
    for (let i = 0; i < events.timestamp.length; i++) {
      const t = events.timestamp[i];
      if (!(t >= startTime && t < endTime && t % 1000 === 0)) expect.fail(`timestamp ${t} of event ${i}`);
      if (t < (last.get(events.userId[i]) ?? -Infinity)) decreasing++;
      last.set(events.userId[i], t);
    }
    expect(decreasing / events.timestamp.length).toBeLessThan(0.01);
    const sorted = events.timestamp.slice().sort();
    const spanYears = (sorted[sorted.length - 1] - sorted[0]) / (365 * 86_400_000);
    expect(spanYears).toBeGreaterThan(8);
  });

  it("uses ms resolution and a custom range when asked", () => {
    const startTime = Date.UTC(2020, 0, 1);
    const endTime = Date.UTC(2020, 1, 1);
    const { timestamp } = concat(
      createGenerator({ ...SMALL, startTime, endTime, timestampResolution: "ms" }).eventBatches(5000),
    );
    expect(timestamp.every((t) => t >= startTime && t < endTime)).toBe(true);
    expect(timestamp.some((t) => t % 1000 !== 0)).toBe(true);
  });

  it("generates a million events in well under a few seconds", () => {
    const started = performance.now();
    let count = 0;
    for (const batch of createGenerator({ events: 1_000_000 }).eventBatches()) count += batch.userId.length;
    expect(count).toBe(1_000_000);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("createGenerator options", () => {
  it("rejects bad sizes and ranges, naming them", () => {
    expect(() => createGenerator({ users: 0 })).toThrow(/users must be an integer from 1/);
    expect(() => createGenerator({ artists: 1.5 })).toThrow(/artists/);
    expect(() => createGenerator({ events: -1 })).toThrow(/events must be a positive integer/);
    expect(() => createGenerator({ startTime: 10, endTime: 10 })).toThrow(/startTime/);
  });

  it("rejects bad batch arguments instead of looping or allocating nonsense", () => {
    const generator = createGenerator(SMALL);
    expect(() => generator.eventBatches(10, 0).next()).toThrow(/batchSize must be an integer >= 1, got 0/);
    expect(() => generator.eventBatches(2.5).next()).toThrow(/totalEvents/);
    expect(() => generator.nextEvents(-1)).toThrow(/n must be an integer >= 0/);
    expect(generator.nextEvents(0)).toEqual([]);
  });

  it("treats undefined options as defaults", () => {
    const a = concat(createGenerator({ users: undefined, seed: 5, events: 100 }).eventBatches());
    const b = concat(createGenerator({ seed: 5, events: 100 }).eventBatches());
    expect(a).toEqual(b);
  });

  it("works with a single user and artist", () => {
    const { artistId, userId } = concat(createGenerator({ users: 1, artists: 1, events: 50 }).eventBatches());
    expect(new Set(userId).size).toBe(1);
    expect(new Set(artistId).size).toBe(1);
  });
});

describe("writeLfm1bDataset", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dataset-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the four LFM-1b files, which read back as the generated data", async () => {
    const options = { ...SMALL, seed: 9, events: 50_000 };
    const progress: number[] = [];
    const summary = await writeLfm1bDataset(dir, { ...options, batchSize: 8192, onProgress: (n) => progress.push(n) });
    expect(summary.files.map((file) => file.slice(dir.length + 1))).toEqual([
      "LFM-1b_LEs.txt",
      "LFM-1b_artists.txt",
      "LFM-1b_albums.txt",
      "LFM-1b_tracks.txt",
    ]);
    expect(progress.at(-1)).toBe(50_000);

    const expected = createGenerator(options);
    const read: EventBatch[] = [];
    for await (const batch of readEventBatches(join(dir, "LFM-1b_LEs.txt"), { onBadLine: expect.fail })) read.push(batch);
    expect(concat(read)).toEqual(concat(expected.eventBatches()));

    const text = await readFile(join(dir, "LFM-1b_LEs.txt"), "utf8");
    expect(text.split("\n")[0]).toMatch(/^\d+\t\d+\t\d+\t\d+\t1\d{9}$/);

    for (const [file, rows] of [
      ["LFM-1b_artists.txt", expected.catalogue.artists],
      ["LFM-1b_albums.txt", expected.catalogue.albums],
      ["LFM-1b_tracks.txt", expected.catalogue.tracks],
    ] as const) {
      const names: Array<[number, string]> = [];
      for await (const batch of readItemNames(join(dir, file), { onBadLine: expect.fail })) names.push(...batch);
      expect(names, file).toEqual(rows.map(([id, name]) => [id, name]));
    }
    const tracksText = await readFile(join(dir, "LFM-1b_tracks.txt"), "utf8");
    expect(tracksText).toMatch(/\t"[^\t]*7"" Version\)"\t\d+\n/);
  });

  it("leaves the folder as it was when a run fails half way", async () => {
    const out = join(dir, "kept");
    await writeLfm1bDataset(out, { ...SMALL, seed: 1, events: 3000 });
    const before = Object.fromEntries(await Promise.all((await readdir(out)).map(async (name) => [name, await readFile(join(out, name), "utf8")])));
    const stopped = writeLfm1bDataset(out, {
      ...SMALL,
      seed: 2,
      events: 50_000,
      batchSize: 1000,
      onProgress: (n) => {
        if (n >= 20_000) throw new Error("stopped");
      },
    });
    await expect(stopped).rejects.toThrow("stopped");
    const after = Object.fromEntries(await Promise.all((await readdir(out)).map(async (name) => [name, await readFile(join(out, name), "utf8")])));
    expect(after).toEqual(before);
  });

  it("writes timestamps before 1970 as negative seconds, which the reader refuses line by line", async () => {
    const options = { ...SMALL, events: 300, startTime: Date.UTC(1960, 0, 1), endTime: Date.UTC(1961, 0, 1) };
    const out = join(dir, "sixties");
    await writeLfm1bDataset(out, options);
    const reasons = new Set<string>();
    let rows = 0;
    const onBadLine = (_lineNo: number, line: string, reason: string) => {
      expect(line).toMatch(/\t-\d+$/);
      reasons.add(reason.replace(/"-\d+"/, "<t>"));
    };
    for await (const batch of readEventBatches(join(out, "LFM-1b_LEs.txt"), { onBadLine })) rows += batch.userId.length;
    expect(rows).toBe(0);
    expect([...reasons]).toEqual(["timestamp must be epoch seconds from 1970 to the year 9999, got <t>"]);
  });
});
