// A large body of bad events costs about what a body of good ones does, and does not starve other
// requests: rejections beyond the first 100 are counted, not described.
import { describe, expect, it } from "vitest";
import { serveEmptyStore } from "./helpers/http-server.js";

describe("POST /events with a 1 MiB body", () => {
  const served = serveEmptyStore();

  /** Latencies of /healthz polled every 5 ms until `during` settles. */
  async function healthLatencies<T>(during: Promise<T>): Promise<{ result: T; worstMs: number }> {
    let done = false;
    const worst = { ms: 0 };
    const polling = (async () => {
      while (!done) {
        const start = performance.now();
        const response = await fetch(`${served.server.url}/healthz`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        worst.ms = Math.max(worst.ms, performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const result = await during.finally(() => (done = true));
    await polling;
    return { result, worstMs: worst.ms };
  }

  it("rejects 524,287 bad elements while /healthz keeps answering", async () => {
    const count = 524_287;
    const body = `[${"0,".repeat(count - 1)}0]`;
    expect(body.length).toBeLessThanOrEqual(1 << 20);
    const posting = fetch(`${served.server.url}/events`, { method: "POST", body, headers: { "content-type": "application/json" } }).then(
      async (response) => ({ status: response.status, body: await response.json() }),
    );
    const { result, worstMs } = await healthLatencies(posting);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ accepted: 0, rejected: count, rejectedBy: { event: count } });
    expect(result.body.rejections).toHaveLength(100);
    expect(result.body.rejections[99]).toEqual({ index: 99, field: "event", reason: "event must be an object, got 0" });
    // Before, describing every rejection held the event loop for about 5 s.
    expect(worstMs).toBeLessThan(1500);
  });

  it("applies a body of 10,000 5,000 good events beside 5,000 bad ones", async () => {
    const events = Array.from({ length: 10_000 }, (_, i) =>
      i % 2 ? { userId: 7, artistId: i, albumId: i, trackId: i, timestamp: 1_400_000_000_000 + i } : { userId: 7, artistId: -i },
    );
    const response = await fetch(`${served.server.url}/events`, { method: "POST", body: JSON.stringify(events), headers: { "content-type": "application/json" } });
    expect(await response.json()).toMatchObject({ accepted: 5_000, rejected: 5_000, rejectedBy: { artistId: 4_999, albumId: 1 } }); // -0 is the id 0: that event fails on its albumId
  });
});
