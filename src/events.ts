// The one validator of listening events: checks caller events (objects or columns) one by one and
// writes the accepted ones straight into an event window (the engine's, in wasm memory), converting
// timestamps to epoch ms. A bad event is rejected and counted, and the valid events around it are
// kept. Nothing here allocates per call in proportion to the window.
import { EVENT_WINDOW } from "../assembly/constants.js";
import { describe } from "./errors.js";
import { allocateBatch, firstRows } from "./ingest/batch.js";
import { EVENT_COLUMNS, type EventBatch, type EventColumns, type ListeningEvent, type TimestampUnit } from "./types.js";
import { isValidId, timestampAllowed, toEpochMillis } from "./validation.js";

const ID_FIELDS = ["userId", "artistId", "albumId", "trackId"] as const;
/** Rejections kept with their details per call; all are counted. */
export const MAX_REPORTED = 100;

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
  /** The first rejections (at most 100), in input order. */
  rejections: Rejection[];
  /** Every rejection counted by the property at fault. */
  rejectedBy: Record<string, number>;
}

/** Where accepted events go: a window of EVENT_WINDOW rows, applied `count` rows at a time. */
export interface EventWindow {
  /** The window's columns; valid until the next `apply`. */
  window(): EventBatch;
  /** Applies the first `count` rows of the window. */
  apply(count: number): void;
}

function isEventColumns(input: unknown): input is EventColumns {
  return typeof input === "object" && input !== null && !(Symbol.iterator in input) && "userId" in input;
}

/** Validates `input` into `target`'s window, applying each full (and the final) window. */
export function ingestEvents(input: Iterable<ListeningEvent> | EventColumns, unit: TimestampUnit, target: EventWindow): IngestResult {
  const writer = new EventWriter(unit, target);
  if (isEventColumns(input)) writeColumns(input, writer);
  else writeObjects(input, writer);
  return writer.finish();
}

/** Validates without applying: the accepted events as one batch, and the result. */
export function validateEvents(input: Iterable<ListeningEvent> | EventColumns, unit: TimestampUnit): { events: EventBatch; result: IngestResult } {
  const parts: EventBatch[] = [];
  let window: EventBatch | undefined;
  const collect: EventWindow = {
    window: () => (window ??= allocateBatch(EVENT_WINDOW)),
    apply: (count) => {
      parts.push(firstRows(window!, count));
      window = undefined;
    },
  };
  const result = ingestEvents(input, unit, collect);
  return { events: concatBatches(parts, result.accepted), result };
}

function concatBatches(parts: EventBatch[], rows: number): EventBatch {
  if (parts.length === 1) return parts[0]!;
  const out = allocateBatch(rows);
  let at = 0;
  for (const part of parts) {
    for (const name of EVENT_COLUMNS) out[name].set(part[name], at);
    at += part.userId.length;
  }
  return out;
}

function writeObjects(input: Iterable<ListeningEvent>, writer: EventWriter): void {
  if (typeof input !== "object" || input === null || !(Symbol.iterator in input)) {
    throw new TypeError(`events must be an iterable of event objects or event columns, got ${describe(input)}`);
  }
  let index = 0;
  for (const event of input) {
    if (typeof event !== "object" || event === null || Array.isArray(event)) writer.reject(index, "event", () => `event must be an object, got ${describe(event)}`);
    else writer.write(event.userId, event.artistId, event.albumId, event.trackId, event.timestamp, index);
    index++;
  }
}

function writeColumns(columns: EventColumns, writer: EventWriter): void {
  const length = columns.userId.length;
  for (const name of EVENT_COLUMNS) {
    if (columns[name]?.length !== length) {
      throw new RangeError(`event columns must have equal lengths: userId has ${length}, ${name} has ${columns[name]?.length}`);
    }
  }
  const { userId, artistId, albumId, trackId, timestamp } = columns;
  for (let i = 0; i < length; i++) writer.write(userId[i]!, artistId[i]!, albumId[i]!, trackId[i]!, timestamp[i]!, i);
}

class EventWriter {
  private window: EventBatch;
  private count = 0;
  private accepted = 0;
  private rejected = 0;
  private readonly rejections: Rejection[] = [];
  private readonly rejectedBy: Record<string, number> = {};

  constructor(
    private readonly unit: TimestampUnit,
    private readonly target: EventWindow,
  ) {
    this.window = target.window();
  }

  write(userId: unknown, artistId: unknown, albumId: unknown, trackId: unknown, time: unknown, index: number): void {
    const timestamp = toEpochMillis(time, this.unit);
    if (!(isValidId(userId) && isValidId(artistId) && isValidId(albumId) && isValidId(trackId) && timestamp === timestamp)) {
      return this.rejectInvalid([userId, artistId, albumId, trackId], time, index);
    }
    const row = this.count++;
    const window = this.window;
    window.userId[row] = userId;
    window.artistId[row] = artistId;
    window.albumId[row] = albumId;
    window.trackId[row] = trackId;
    window.timestamp[row] = timestamp;
    if (this.count === EVENT_WINDOW) this.flush();
  }

  /** Names the first bad value of an event that failed the checks in `write`. */
  private rejectInvalid(ids: unknown[], time: unknown, index: number): void {
    const bad = ids.findIndex((id) => !isValidId(id));
    if (bad < 0) return this.reject(index, "timestamp", () => `timestamp must be ${timestampAllowed(this.unit)}, got ${describe(time)}`);
    const field = ID_FIELDS[bad]!;
    this.reject(index, field, () => `${field} must be an integer between 0 and 2^53-1, got ${describe(ids[bad])}`);
  }

  /** Counts a rejection; only the first ones are described, so a body of bad events costs what a good one does. */
  reject(index: number, field: string, reason: string | (() => string)): void {
    this.rejected++;
    this.rejectedBy[field] = (this.rejectedBy[field] ?? 0) + 1;
    if (this.rejections.length < MAX_REPORTED) this.rejections.push({ index, field, reason: typeof reason === "string" ? reason : reason() });
  }

  private flush(): void {
    if (this.count === 0) return;
    this.target.apply(this.count);
    this.accepted += this.count;
    this.count = 0;
    this.window = this.target.window();
  }

  finish(): IngestResult {
    this.flush();
    return { accepted: this.accepted, rejected: this.rejected, rejections: this.rejections, rejectedBy: this.rejectedBy };
  }
}
