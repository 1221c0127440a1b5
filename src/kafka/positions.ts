// Where the consumer stands in each partition: the next offset to apply (so a batch fetched again
// after a rejoin is not counted twice), the high watermark last seen (lag), and the end offset seen
// at start (catch-up: the replica is ready once it has applied everything that existed then).
import type { PartitionRange } from "./client.js";

interface PartitionPosition {
  /** Next offset to apply. */
  next: number;
  /** Offset after the last record, as of the last fetch. */
  high: number;
  /** Where consumption started: the oldest retained record at start. */
  start: number;
  /** The end offset at start: catching up means reaching it. */
  target: number;
}

export interface CatchUpProgress {
  /** Records applied (or skipped as bad) of those present at start. */
  done: number;
  total: number;
}

export class Positions {
  private readonly partitions = new Map<string, PartitionPosition>();

  /**
   * Records a topic's partitions as they are at start, each to be applied from its oldest record, or
   * from `resumeAt` (a snapshot's offset; catch-up counts from there) when that is still retained.
   */
  addTopic(topic: string, ranges: PartitionRange[], resumeAt: (partition: number) => number | undefined = () => undefined): void {
    for (const { partition, start, end } of ranges) {
      const next = Math.max(start, resumeAt(partition) ?? start);
      this.partitions.set(key(topic, partition), { next, high: end, start: Math.min(next, end), target: end });
    }
  }

  /** The next offset to apply in every partition known: where a new reader continues. */
  nextOffsets(): Array<[topic: string, partition: number, offset: number]> {
    return [...this.partitions].map(([key, p]) => {
      const [topic, partition] = key.split("\u0000");
      return [topic, Number(partition), p.next];
    });
  }

  advance(topic: string, partition: number, next: number, high: number): void {
    const position = this.partitions.get(key(topic, partition));
    if (position === undefined) {
      // A partition added after start: nothing of it was there to catch up with.
      this.partitions.set(key(topic, partition), { next, high, start: 0, target: 0 });
      return;
    }
    position.next = Math.max(position.next, next);
    position.high = high;
  }

  progress(): CatchUpProgress {
    let done = 0;
    let total = 0;
    for (const p of this.partitions.values()) {
      done += Math.min(p.next, p.target) - p.start;
      total += p.target - p.start;
    }
    return { done, total };
  }

  caughtUp(): boolean {
    for (const p of this.partitions.values()) if (p.next < p.target) return false;
    return true;
  }

  /** Records not applied yet, as of the last fetch of each partition. */
  lag(): number {
    let lag = 0;
    for (const p of this.partitions.values()) lag += Math.max(0, p.high - p.next);
    return lag;
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
