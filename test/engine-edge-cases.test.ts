// Edge cases from the contract, run against every engine (wasm and the TypeScript reference).
import { describe, expect, it } from "vitest";
import { ProfileStore, type ListeningEvent } from "../src/index.js";

const MAX_ID = Number.MAX_SAFE_INTEGER;
const play = (userId: number, artistId: number, timestamp = 1_000, albumId = artistId, trackId = artistId): ListeningEvent => ({
  userId,
  artistId,
  albumId,
  trackId,
  timestamp,
});

describe.each(["wasm", "reference"] as const)("%s engine", (engine) => {
  const create = (options = {}) => ProfileStore.create({ engine, ...options });

  it("breaks chart ties by id ascending and returns fewer entries when K exceeds the items", async () => {
    const store = await create({ chartSize: 5 });
    store.ingest([play(1, 30), play(1, 10), play(1, 20), play(1, 20), play(1, 10)]);
    expect(store.charts(1, "ARTIST").topK).toEqual([
      { id: 10, countPlays: 2 },
      { id: 20, countPlays: 2 },
      { id: 30, countPlays: 1 },
    ]);
    expect(store.charts(1, "ARTIST", 1).topK).toEqual([{ id: 10, countPlays: 2 }]);
  });

  it("keeps the chart exact when an item climbs in from outside a full chart", async () => {
    const store = await create({ chartSize: 2 });
    store.ingest([play(1, 1), play(1, 1), play(1, 2), play(1, 2), play(1, 3)]);
    expect(store.charts(1, "ARTIST").topK.map((e) => e.id)).toEqual([1, 2]);
    store.ingest([play(1, 3), play(1, 3)]);
    expect(store.charts(1, "ARTIST").topK).toEqual([
      { id: 3, countPlays: 3 },
      { id: 1, countPlays: 2 },
    ]);
  });

  it("answers an unknown user with nothing, not an error", async () => {
    const store = await create();
    store.ingest([play(1, 1)]);
    expect(store.profile(2)).toBeUndefined();
    expect(store.charts(2, "TRACK").topK).toEqual([]);
    expect(store.recommend(2, "ARTIST").recommendations).toEqual([]);
    expect(store.playCount(2, "ARTIST", 1)).toBe(0);
  });

  it("recommends nothing to a user who already played every reachable item", async () => {
    const store = await create();
    store.ingest([play(1, 1), play(1, 2), play(2, 1), play(2, 2)]);
    expect(store.recommend(1, "ARTIST", { seed: 1 }).recommendations).toEqual([]);
  });

  it("counts walkLength in half-steps: length 1 and 2 reach only the user's own items", async () => {
    const store = await create();
    store.ingest([play(1, 1), play(2, 1), play(2, 5)]);
    expect(store.recommend(1, "ARTIST", { walkLength: 1, seed: 3 }).recommendations).toEqual([]);
    expect(store.recommend(1, "ARTIST", { walkLength: 2, seed: 3 }).recommendations).toEqual([]);
    const three = store.recommend(1, "ARTIST", { walkLength: 3, walks: 100, resetProbability: 0, seed: 3 });
    // Every walker goes 1 -> artist 1 -> user 1 or 2 -> ...; from user 2, half the walkers reach artist 5.
    expect(three.recommendations.map((r) => r.id)).toEqual([5]);
    expect(three.recommendations[0]!.score).toBeGreaterThan(10);
    expect(three.recommendations[0]!.score).toBeLessThan(40);
  });

  it("with resetProbability 0 every walker moves; near 1 almost none do; at 1 none do", async () => {
    const store = await create();
    store.ingest([play(1, 1), play(2, 1), play(2, 5)]);
    const walks = 1000;
    // walkLength 3 = two user->item steps: a walker is at user 2 after the item step with probability 1/2,
    // then picks artist 5 with probability 1/2, so about a quarter of the walkers visit it.
    const none = store.recommend(1, "ARTIST", { walks, walkLength: 3, resetProbability: 0, seed: 9 }).recommendations;
    expect(none[0]!.score).toBeGreaterThan(180);
    expect(none[0]!.score).toBeLessThan(320);
    const nearOne = store.recommend(1, "ARTIST", { walks, walkLength: 3, resetProbability: 0.999, seed: 9 });
    expect(nearOne.recommendations.reduce((sum, r) => sum + r.score, 0)).toBeLessThan(10);
    expect(store.recommend(1, "ARTIST", { walks, walkLength: 3, resetProbability: 1, seed: 9 }).recommendations).toEqual([]);
  });

  it("is deterministic for a seed and respects limit", async () => {
    const store = await create();
    const events: ListeningEvent[] = [];
    for (let u = 0; u < 30; u++) for (let a = 0; a < 8; a++) events.push(play(u, (u * 3 + a * a) % 40));
    store.ingest(events);
    const first = store.recommend(0, "ARTIST", { seed: 77, limit: 3 });
    expect(first).toEqual(store.recommend(0, "ARTIST", { seed: 77, limit: 3 }));
    expect(first.recommendations).toHaveLength(3);
    const scores = first.recommendations.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("keeps ids up to 2^53-1 exact", async () => {
    const store = await create();
    store.ingest([play(MAX_ID, MAX_ID, 5, MAX_ID - 1, MAX_ID - 2), play(MAX_ID, 5), play(0, 5, 7, 0, 0)]);
    expect(store.profile(MAX_ID)).toEqual({ userId: MAX_ID, totalListenCount: 2, firstListenEvent: 5, lastListenEvent: 1000 });
    expect(store.charts(MAX_ID, "ALBUM").topK).toEqual([{ id: 5, countPlays: 1 }, { id: MAX_ID - 1, countPlays: 1 }]);
    expect(store.charts(MAX_ID, "TRACK").topK).toEqual([{ id: 5, countPlays: 1 }, { id: MAX_ID - 2, countPlays: 1 }]);
    expect(store.recommend(0, "ARTIST", { seed: 1 }).recommendations.map((r) => r.id)).toEqual([MAX_ID]);
  });

  it("tracks first and last listen by event time, not arrival order", async () => {
    const store = await create();
    store.ingest([play(1, 1, 500), play(1, 1, 100), play(1, 1, 900), play(1, 1, 300)]);
    expect(store.profile(1)).toEqual({ userId: 1, totalListenCount: 4, firstListenEvent: 100, lastListenEvent: 900 });
  });

  it("converts seconds to milliseconds by the configured unit", async () => {
    const seconds = await create({ timestampUnit: "s" });
    seconds.ingest([play(1, 1, 1_200_000_000)]);
    expect(seconds.profile(1)!.firstListenEvent).toBe(1_200_000_000_000);
    const auto = await create({ timestampUnit: "auto" });
    auto.ingest([play(1, 1, 1_200_000_000), play(1, 1, 1_300_000_000_000)]);
    expect(auto.profile(1)).toMatchObject({ firstListenEvent: 1_200_000_000_000, lastListenEvent: 1_300_000_000_000 });
  });

  it("rejects bad events one by one, names the value, and keeps the valid ones around them", async () => {
    const store = await create();
    const result = store.ingest([
      play(1, 1),
      { ...play(1, 2), artistId: -3 },
      { ...play(1, 2), userId: 2 ** 53 },
      { ...play(1, 2), trackId: "7" as unknown as number },
      { ...play(1, 2), timestamp: Number.NaN },
      { ...play(1, 2), albumId: 1.5 },
      null as unknown as ListeningEvent,
      play(1, 3),
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected).toBe(6);
    expect(result.rejections.map((r) => [r.index, r.field])).toEqual([
      [1, "artistId"],
      [2, "userId"],
      [3, "trackId"],
      [4, "timestamp"],
      [5, "albumId"],
      [6, "event"],
    ]);
    expect(result.rejections[0]!.reason).toBe("artistId must be an integer between 0 and 2^53-1, got -3");
    expect(result.rejections[2]!.reason).toContain('got "7"');
    expect(store.profile(1)!.totalListenCount).toBe(2);
    expect(store.charts(1, "ARTIST").topK.map((e) => e.id)).toEqual([1, 3]);
    expect(store.stats().events).toEqual({ accepted: 2, rejected: 6 });
  });

  it("rejects bad parameters with errors that name them", async () => {
    const store = await create({ chartSize: 10 });
    expect(() => store.recommend(1, "SONG" as never)).toThrow("field must be one of ARTIST, ALBUM, TRACK, got \"SONG\"");
    expect(() => store.recommend(-1, "ARTIST")).toThrow("userId must be an integer between 0 and 2^53-1, got -1");
    expect(() => store.recommend(1, "ARTIST", { walks: 0 })).toThrow("walks must be an integer between 1 and 100000, got 0");
    expect(() => store.recommend(1, "ARTIST", { resetProbability: 1.5 })).toThrow("resetProbability must be a number between 0 and 1, got 1.5");
    expect(() => store.recommend(1, "ARTIST", { limit: 2.5 })).toThrow("limit must be an integer between 1 and 1000, got 2.5");
    expect(() => store.charts(1, "ARTIST", 11)).toThrow("k must be an integer between 1 and the store's chartSize 10, got 11");
    await expect(ProfileStore.create({ chartSize: 0 })).rejects.toThrow("chartSize must be an integer between 1 and 1000, got 0");
    expect(store.recommend(1, "artist" as never).recommendations).toEqual([]);
  });

  it("rejects columns of unequal length before applying any", async () => {
    const store = await create();
    expect(() =>
      store.ingest({ userId: [1, 2], artistId: [1, 2], albumId: [1, 2], trackId: [1], timestamp: [1, 2] }),
    ).toThrow("event columns must have equal lengths: userId has 2, trackId has 1");
    expect(store.stats().users).toBe(0);
  });

  it("keeps at most maxEdgesPerGraph edges, dropping the oldest segment", async () => {
    const store = await create({ maxEdgesPerGraph: 8 }); // 4 segments of 2 edges
    store.ingest([play(1, 100), play(1, 100), play(2, 200), play(2, 200)]);
    store.ingest([play(3, 300), play(3, 300), play(4, 400), play(4, 400)]);
    expect(store.stats().fields.ARTIST.edges).toBe(8);
    // User 9 shares artist 100 with user 1 only while user 1's first segment is alive.
    store.ingest([play(9, 100)]);
    expect(store.stats().fields.ARTIST.edges).toBe(7);
    store.ingest([play(9, 500), play(5, 500), play(5, 600)]);
    expect(store.recommend(9, "ARTIST", { resetProbability: 0, seed: 1 }).recommendations.map((r) => r.id)).toEqual([600]);
    // Metrics and charts stay exact: expiry only bounds the graphs.
    expect(store.profile(1)!.totalListenCount).toBe(2);
    expect(store.playCount(1, "ARTIST", 100)).toBe(2);
  });
});
