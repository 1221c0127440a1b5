import { ProfileStore } from "profile-store";

const store = await ProfileStore.create({ chartSize: 10, timestampUnit: "s" });

const result = store.ingest([
  { userId: 1, artistId: 10, albumId: 100, trackId: 1000, timestamp: 1_400_000_000 },
  { userId: 1, artistId: 10, albumId: 100, trackId: 1001, timestamp: 1_400_000_200 },
  { userId: 1, artistId: 20, albumId: 200, trackId: 2000, timestamp: 1_400_000_400 },
  { userId: 2, artistId: 10, albumId: 100, trackId: 1000, timestamp: 1_400_000_100 },
  { userId: 2, artistId: 30, albumId: 300, trackId: 3000, timestamp: 1_400_000_300 },
  { userId: 3, artistId: -1, albumId: 1, trackId: 1, timestamp: 0 }, // rejected: negative id
]);
console.log(result.accepted, result.rejected, result.rejections[0]?.reason);
// 5 1 artistId must be an integer between 0 and 2^53-1, got -1

store.setNames("ARTIST", [[10, "Radiohead"], [20, "Portishead"], [30, "Massive Attack"]]);

console.log(store.profile(1));
// { userId: 1, totalListenCount: 3, firstListenEvent: 1400000000000, lastListenEvent: 1400000400000 }
console.log(store.charts(1, "ARTIST").topK);
// [ { id: 10, countPlays: 2, name: 'Radiohead' }, { id: 20, countPlays: 1, name: 'Portishead' } ]
console.log(store.recommend(1, "ARTIST", { walks: 1000, walkLength: 100, seed: 42 }).recommendations);
// [ { id: 30, score: ..., name: 'Massive Attack' } ]
console.log(store.stats().fields.ARTIST);
// { items: 3, edges: 5, graphBytes: ..., chartBytes: ... }
