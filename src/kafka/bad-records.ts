// Bad records are skipped, never fatal: each is counted by reason, and the log hears of the first of
// each reason at once and of the rest in at most one summary line per interval, so a topic full of
// garbage cannot flood it.
import type { Logger } from "./client.js";
import { BAD_RECORD_REASONS, type BadRecordReason } from "./codecs.js";

export type BadRecordCounts = Record<BadRecordReason, number>;

function zeroCounts(): BadRecordCounts {
  return Object.fromEntries(BAD_RECORD_REASONS.map((reason) => [reason, 0])) as BadRecordCounts;
}

export class BadRecordLog {
  readonly counts = zeroCounts();
  private unlogged = zeroCounts();
  private unloggedTotal = 0;
  private lastSummaryAt = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  report(topic: string, partition: number, offset: string, reason: BadRecordReason): void {
    const where = `${topic}/${partition}@${offset}`;
    if (this.counts[reason]++ === 0) {
      this.logger.warn(`skipped a bad record at ${where}: ${reason} (further ones are summarised)`);
      return;
    }
    this.unlogged[reason]++;
    this.unloggedTotal++;
    const now = Date.now();
    if (now - this.lastSummaryAt < this.intervalMs) return;
    const reasons = BAD_RECORD_REASONS.filter((r) => this.unlogged[r] > 0).map((r) => `${r} ${this.unlogged[r]}`);
    this.logger.warn(`skipped ${this.unloggedTotal} more bad records (${reasons.join(", ")}), the last at ${where}`);
    this.unlogged = zeroCounts();
    this.unloggedTotal = 0;
    this.lastSummaryAt = now;
  }
}
