// Where the consumer resumes after a restored snapshot: from the snapshot's offset while retained,
// with catch-up counted from there.
import { describe, expect, it } from "vitest";
import { Positions } from "../src/kafka/positions.js";

describe("Positions resumed from a snapshot", () => {
  const ranges = [
    { partition: 0, start: 0, end: 100 },
    { partition: 1, start: 50, end: 80 },
    { partition: 2, start: 0, end: 10 },
  ];
  const snapshot = new Map([
    [0, 60], // retained: continue there
    [1, 20], // deleted up to 50 by retention: continue at the oldest record
    [2, 15], // beyond the end (a recreated topic): nothing to catch up with
  ]);

  it("continues at the snapshot's offsets, or at the oldest record where those are gone", () => {
    const positions = new Positions();
    positions.addTopic("events", ranges, (partition) => snapshot.get(partition));
    expect(positions.nextOffsets()).toEqual([
      ["events", 0, 60],
      ["events", 1, 50],
      ["events", 2, 15],
    ]);
    expect(positions.progress()).toEqual({ done: 0, total: 40 + 30 });
    expect(positions.caughtUp()).toBe(false);
    positions.advance("events", 0, 100, 100);
    positions.advance("events", 1, 80, 80);
    expect(positions.progress()).toEqual({ done: 70, total: 70 });
    expect(positions.caughtUp()).toBe(true);
  });

  it("starts every partition at its oldest record without a snapshot", () => {
    const positions = new Positions();
    positions.addTopic("events", ranges);
    expect(positions.nextOffsets().map(([, , offset]) => offset)).toEqual([0, 50, 0]);
    expect(positions.progress()).toEqual({ done: 0, total: 100 + 30 + 10 });
  });
});
