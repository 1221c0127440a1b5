// Runs the recommendation requests that arrived in one turn of the event loop back to back, after
// all of them were parsed and before any response is written. A walk of the seed's size reads about
// 100,000 random graph entries and evicts the CPU caches; interleaved with each request's HTTP work,
// it left parsing and writing to run cold. Batched, the HTTP work of a turn runs warm: at the seed
// defaults the server's time outside the SDK fell from 17-33% to 7-16% (npm run bench:http).
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";

/** A batch yields to the event loop after this long, so that its finished responses go out. */
export const MAX_BATCH_MS = 20;

type Job = () => void;

export class WalkBatch {
  private queue: Job[] = [];

  constructor(private readonly maxBatchMs = MAX_BATCH_MS) {}

  /** The result of `work`, computed after this turn's other requests were read. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.drain());
      this.queue.push(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  private drain(): void {
    const end = performance.now() + this.maxBatchMs;
    let done = 0;
    // At least one job per turn, however long the jobs take.
    while (done < this.queue.length && (done === 0 || performance.now() < end)) this.queue[done++]!();
    this.queue.splice(0, done);
    if (this.queue.length > 0) setImmediate(() => this.drain());
  }
}
