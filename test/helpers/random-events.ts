import type { ListeningEvent } from "../../src/types.js";
import { Mulberry32 } from "../../src/engine/random.js";

/** Random events over small id spaces with a skew, so there are repeats, ties and shared items. */
export function randomEvents(count: number, seed: number, sizes = { users: 40, artists: 30, albums: 60, tracks: 200 }): ListeningEvent[] {
  const random = new Mulberry32(seed);
  const skewed = (n: number) => {
    const r = random.below(n);
    return random.below(r + 1); // favours small ids
  };
  const events: ListeningEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push({
      userId: 1000 + skewed(sizes.users) * 7,
      artistId: skewed(sizes.artists) * 13,
      albumId: skewed(sizes.albums) * 3 + 1,
      trackId: skewed(sizes.tracks) * 5 + 2,
      timestamp: 1_200_000_000_000 + random.below(1_000_000_000),
    });
  }
  return events;
}
