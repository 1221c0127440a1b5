import { describe, expect, it } from "vitest";
import { WalkBatch } from "../src/http/walk-batch.js";

const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe("WalkBatch", () => {
  it("runs the jobs of one turn after that turn, in order, each with its own result or error", async () => {
    const batch = new WalkBatch();
    const ran: number[] = [];
    const results = [1, 2, 3].map((n) =>
      batch.run(() => {
        ran.push(n);
        if (n === 2) throw new RangeError("job 2 failed");
        return n * 10;
      }),
    );
    expect(ran).toEqual([]);
    const settled = await Promise.allSettled(results);
    expect(ran).toEqual([1, 2, 3]);
    expect(settled).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: new RangeError("job 2 failed") },
      { status: "fulfilled", value: 30 },
    ]);
  });

  it("holds back the responses of a turn until its jobs ran, within the time cap", async () => {
    const batch = new WalkBatch(1_000);
    const events: string[] = [];
    const first = batch.run(() => events.push("job 1")).then(() => events.push("response 1"));
    const second = batch.run(() => events.push("job 2")).then(() => events.push("response 2"));
    await Promise.all([first, second]);
    expect(events).toEqual(["job 1", "job 2", "response 1", "response 2"]);
  });

  it("yields to the event loop once a batch took longer than the cap, and still finishes every job", async () => {
    const batch = new WalkBatch(100);
    const events: string[] = [];
    const jobs = [1, 2, 3, 4].map((n) =>
      batch
        .run(() => {
          busyWait(60);
          events.push(`job ${n}`);
        })
        .then(() => events.push(`response ${n}`)),
    );
    await Promise.all(jobs);
    // Two 60 ms jobs pass the 100 ms cap: their responses go out before jobs 3 and 4 run.
    expect(events).toEqual(["job 1", "job 2", "response 1", "response 2", "job 3", "job 4", "response 3", "response 4"]);
  });

  it("makes progress with a cap of zero", async () => {
    const batch = new WalkBatch(0);
    await expect(Promise.all([batch.run(() => "a"), batch.run(() => "b")])).resolves.toEqual(["a", "b"]);
  });
});
