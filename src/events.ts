// Turns caller events (objects or columns) into validated columns in chunks, rejecting bad events one
// by one so the valid events around them are kept.
import { EVENT_WINDOW } from "../assembly/constants.js";
import type { EventBatchColumns } from "./engine/engine.js";
import { describe } from "./errors.js";
import type { EventColumns, ListeningEvent, TimestampUnit } from "./types.js";
import { isValidId, toEpochMillis } from "./validation.js";

const ID_FIELDS = ["userId", "artistId", "albumId", "trackId"] as const;
/** Rejections kept with their details per call; all are counted. */
const MAX_REPORTED = 100;

export interface Rejection {
  /** Position of the event in the input. */
  index: number;
  /** The property at fault, e.g. "artistId" or "event". */
  field: string;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  /** The first rejections, in input order. */
  rejections: Rejection[];
}

type Sink = (batch: EventBatchColumns, count: number) => void;

function isEventColumns(input: unknown): input is EventColumns {
  return typeof input === "object" && input !== null && !(Symbol.iterator in input) && "userId" in input;
}

/** Validates `input` into column chunks and hands each full (or final) chunk to `sink`. */
export function ingestEvents(
  input: Iterable<ListeningEvent> | EventColumns,
  unit: TimestampUnit,
  sink: Sink,
): IngestResult {
  const writer = new ColumnWriter(unit, sink);
  if (isEventColumns(input)) writeColumns(input, writer);
  else {
    let index = 0;
    for (const event of input) {
      if (typeof event !== "object" || event === null) writer.reject(index, "event", `event must be an object, got ${describe(event)}`);
      else writer.write(event.userId, event.artistId, event.albumId, event.trackId, event.timestamp, index);
      index++;
    }
  }
  return writer.finish();
}

function writeColumns(columns: EventColumns, writer: ColumnWriter): void {
  const length = columns.userId.length;
  for (const name of [...ID_FIELDS, "timestamp"] as const) {
    if (columns[name]?.length !== length) {
      throw new RangeError(`event columns must have equal lengths: userId has ${length}, ${name} has ${columns[name]?.length}`);
    }
  }
  const { userId, artistId, albumId, trackId, timestamp } = columns;
  for (let i = 0; i < length; i++) writer.write(userId[i]!, artistId[i]!, albumId[i]!, trackId[i]!, timestamp[i]!, i);
}

class ColumnWriter {
  private readonly batch: EventBatchColumns = {
    userId: new Float64Array(EVENT_WINDOW),
    artistId: new Float64Array(EVENT_WINDOW),
    albumId: new Float64Array(EVENT_WINDOW),
    trackId: new Float64Array(EVENT_WINDOW),
    timestamp: new Float64Array(EVENT_WINDOW),
  };
  private count = 0;
  private accepted = 0;
  private rejected = 0;
  private readonly rejections: Rejection[] = [];

  constructor(
    private readonly unit: TimestampUnit,
    private readonly sink: Sink,
  ) {}

  write(userId: number, artistId: number, albumId: number, trackId: number, time: number, index: number): void {
    const timestamp = toEpochMillis(time, this.unit);
    if (!(isValidId(userId) && isValidId(artistId) && isValidId(albumId) && isValidId(trackId) && !Number.isNaN(timestamp))) {
      return this.rejectInvalid({ userId, artistId, albumId, trackId, timestamp: time }, index);
    }
    const row = this.count++;
    this.batch.userId[row] = userId;
    this.batch.artistId[row] = artistId;
    this.batch.albumId[row] = albumId;
    this.batch.trackId[row] = trackId;
    this.batch.timestamp[row] = timestamp;
    if (this.count === EVENT_WINDOW) this.flush();
  }

  /** Names the first bad value of an event that failed the checks in `write`. */
  private rejectInvalid(event: ListeningEvent, index: number): void {
    const field = ID_FIELDS.find((name) => !isValidId(event[name]));
    if (field) this.reject(index, field, `${field} must be an integer between 0 and 2^53-1, got ${describe(event[field])}`);
    else this.reject(index, "timestamp", `timestamp must be a non-negative epoch time, got ${describe(event.timestamp)}`);
  }

  reject(index: number, field: string, reason: string): void {
    this.rejected++;
    if (this.rejections.length < MAX_REPORTED) this.rejections.push({ index, field, reason });
  }

  private flush(): void {
    if (this.count === 0) return;
    this.sink(this.batch, this.count);
    this.accepted += this.count;
    this.count = 0;
  }

  finish(): IngestResult {
    this.flush();
    return { accepted: this.accepted, rejected: this.rejected, rejections: this.rejections };
  }
}
