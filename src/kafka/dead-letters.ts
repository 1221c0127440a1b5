// Bad records copied to the dead-letter topic, with why and where from in headers. A copy that fails
// never stops the consumer: its records stay counted as bad (and skipped), and are counted as dead-letter
// failures and logged, at most one line per interval, so a broken dead-letter topic cannot flood the log.
import type { FetchedRecord, Logger, OutgoingRecord, RecordProducer } from "./client.js";
import type { BadRecordReason } from "./codecs.js";

/**
 * A longer value is cut to its first this many bytes, and the copy says how long it was: whole,
 * it could exceed what the broker takes in one record batch (`message.max.bytes`, 1 MiB by default).
 */
export const DEAD_LETTER_VALUE_BYTES = 256 << 10;

/** The copy of a bad record: its key and (maybe truncated) value, with the reason and its origin in headers. */
export function deadLetter(topic: string, partition: number, record: FetchedRecord, reason: BadRecordReason): OutgoingRecord {
  const value = record.value ?? Buffer.alloc(0);
  const headers: Record<string, string> = { reason, topic, partition: String(partition), offset: record.offset };
  if (value.length > DEAD_LETTER_VALUE_BYTES) headers.truncated = String(value.length);
  return { key: record.key ?? Buffer.alloc(0), value: value.subarray(0, DEAD_LETTER_VALUE_BYTES), headers };
}

export class DeadLetterTopic {
  private unlogged = 0;
  private lastLogAt = -Infinity;

  constructor(
    private readonly producer: RecordProducer,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  /** Copies the records; resolves to how many could not be copied, never rejects. */
  async copy(records: OutgoingRecord[]): Promise<number> {
    const { failed, error } = await this.producer.trySend(this.topic, records);
    if (failed > 0) this.reportFailure(failed, error!);
    return failed;
  }

  close(): Promise<void> {
    return this.producer.close();
  }

  private reportFailure(failed: number, error: Error): void {
    this.unlogged += failed;
    const now = Date.now();
    if (now - this.lastLogAt < this.intervalMs) return;
    this.logger.error(
      `could not copy ${this.unlogged} bad records to the dead-letter topic ${this.topic} (skipped and counted all the same): ${error.message}`,
    );
    this.unlogged = 0;
    this.lastLogAt = now;
  }
}
