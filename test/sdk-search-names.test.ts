// Finding catalogue items by name: case-insensitive substring, names starting with the text first, bounded.
import { describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";

async function storeWithTracks(): Promise<ProfileStore> {
  const store = await ProfileStore.create();
  store.setNames("TRACK", [
    [5, "Love Will Tear Us Apart"],
    [3, "Lovely Day"],
    [9, "All You Need Is Love"],
    [1, "LOVE"],
    [7, "Paranoid Android"],
  ]);
  store.setNames("ARTIST", [[3, "Björk"]]);
  return store;
}

describe("store.searchNames", () => {
  it("finds names containing the text in any case, those starting with it first, in catalogue order", async () => {
    const store = await storeWithTracks();
    expect(store.searchNames("TRACK", "love")).toEqual([
      { id: 5, name: "Love Will Tear Us Apart" },
      { id: 3, name: "Lovely Day" },
      { id: 1, name: "LOVE" },
      { id: 9, name: "All You Need Is Love" },
    ]);
    expect(store.searchNames("TRACK", "LOVE", 2)).toEqual([
      { id: 5, name: "Love Will Tear Us Apart" },
      { id: 3, name: "Lovely Day" },
    ]);
    expect(store.searchNames("TRACK", "need is", 1)).toEqual([{ id: 9, name: "All You Need Is Love" }]);
    expect(store.searchNames("artist" as never, "BJÖ")).toEqual([{ id: 3, name: "Björk" }]);
    expect(store.searchNames("ALBUM", "love")).toEqual([]);
  });

  it("keeps the answer bounded and names a bad argument", async () => {
    const store = await storeWithTracks();
    store.setNames("ALBUM", Array.from({ length: 200 }, (_, i) => [i, `Album ${i}`] as const));
    expect(store.searchNames("ALBUM", "album", 50)).toHaveLength(50);
    expect(store.searchNames("ALBUM", "album")).toHaveLength(10);
    expect(() => store.searchNames("TRACK", "l")).toThrow('text must be a string of 2 to 100 characters, got "l"');
    expect(() => store.searchNames("TRACK", "x".repeat(101))).toThrow("text must be a string of 2 to 100 characters");
    expect(() => store.searchNames("TRACK", "love", 51)).toThrow("limit must be an integer between 1 and 50, got 51");
    expect(() => store.searchNames("TRACK", "love", 0)).toThrow("limit must be an integer between 1 and 50, got 0");
    expect(() => store.searchNames("SONG" as never, "love")).toThrow('field must be one of ARTIST, ALBUM, TRACK, got "SONG"');
  });
});
