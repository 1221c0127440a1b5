import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

/**
 * The LFM-1b text format: one record per line, fields separated by tabs, no header.
 * A field may be wrapped in double quotes (then it may hold tabs, and `""` is a
 * literal quote). Quoted fields never span lines: a record is always one line.
 *
 * The parser works on UTF-8 bytes and only marks where fields are, so numeric
 * columns are read without making strings (tab, newline and quote bytes never
 * occur inside a multi-byte UTF-8 character, so splitting bytes is safe).
 */

const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const ZERO = 48;
const MAX_SAFE_DIGITS = 16;

/** Called once per non-blank line, with the parser positioned on that row. */
export type RowHandler = (row: TsvRow) => void;

/** The row being handled; valid only inside the handler. */
export interface TsvRow {
  readonly lineNo: number;
  readonly fieldCount: number;
  /** Field `i` as text, unquoted. */
  text(i: number): string;
  /** Field `i` if it is only digits and at most 2^53-1, else -1. */
  id(i: number): number;
  /** Field `i` as a plain decimal number (a minus, digits, a fraction), NaN otherwise: blank, hex
   *  (`0x10`) or an exponent (`1e9`) are no timestamps of an LFM-1b file. */
  number(i: number): number;
  /** The raw line, without its line ending. */
  line(): string;
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

export class TsvParser implements TsvRow {
  lineNo = 0;
  fieldCount = 0;
  private rest: Buffer | undefined;
  private bytes: Buffer = Buffer.alloc(0);
  private lineStart = 0;
  private lineEnd = 0;
  /** Per field: first byte, end byte, and the closing quote's index (-1 when unquoted). */
  private starts = new Int32Array(8);
  private ends = new Int32Array(8);
  private closingQuotes = new Int32Array(8);

  constructor(private readonly onRow: RowHandler) {}

  write(chunk: Buffer): void {
    const bytes = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    let start = 0;
    for (let lf = bytes.indexOf(LF, start); lf !== -1; lf = bytes.indexOf(LF, start)) {
      this.handleLine(bytes, start, lf);
      start = lf + 1;
    }
    this.rest = start < bytes.length ? bytes.subarray(start) : undefined;
  }

  /** Handles a last line that has no newline. */
  end(): void {
    const rest = this.rest;
    this.rest = undefined;
    if (rest !== undefined) this.handleLine(rest, 0, rest.length);
  }

  text(i: number): string {
    const closing = this.closingQuotes[i];
    if (closing < 0) return this.bytes.toString("utf8", this.starts[i], this.ends[i]);
    const inner = this.bytes.toString("utf8", this.starts[i] + 1, closing).replaceAll('""', '"');
    return closing + 1 < this.ends[i] ? inner + this.bytes.toString("utf8", closing + 1, this.ends[i]) : inner;
  }

  id(i: number): number {
    if (this.closingQuotes[i] >= 0) return idOfText(this.text(i));
    const start = this.starts[i];
    const end = this.ends[i];
    if (end === start || end - start > MAX_SAFE_DIGITS) return -1;
    let value = 0;
    for (let at = start; at < end; at++) {
      const digit = this.bytes[at] - ZERO;
      if (digit < 0 || digit > 9) return -1;
      value = value * 10 + digit;
    }
    return value <= Number.MAX_SAFE_INTEGER ? value : -1;
  }

  number(i: number): number {
    const id = this.id(i);
    if (id >= 0) return id;
    const text = this.text(i);
    return PLAIN_DECIMAL.test(text) ? Number(text) : NaN;
  }

  line(): string {
    return this.bytes.toString("utf8", this.lineStart, this.lineEnd);
  }

  private handleLine(bytes: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (end > start && bytes[end - 1] === CR) end--;
    if (this.lineNo === 1 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      start += 3; // UTF-8 byte order mark
    }
    if (end <= start) return;
    this.bytes = bytes;
    this.lineStart = start;
    this.lineEnd = end;
    this.split(bytes, start, end);
    this.onRow(this);
  }

  private split(bytes: Buffer, start: number, end: number): void {
    this.fieldCount = 0;
    for (let at = start; ; at++) {
      at = this.addField(bytes, at, end);
      if (at >= end) return;
    }
  }

  /** Records the field starting at `start`; returns the index of the tab (or end) after it. */
  private addField(bytes: Buffer, start: number, end: number): number {
    const closing = bytes[start] === QUOTE && start < end ? closingQuote(bytes, start, end) : -1;
    let at = closing < 0 ? start : closing + 1; // text after a closing quote is kept as is
    while (at < end && bytes[at] !== TAB) at++;
    if (this.fieldCount === this.starts.length) this.grow();
    this.starts[this.fieldCount] = start;
    this.ends[this.fieldCount] = at;
    this.closingQuotes[this.fieldCount] = closing;
    this.fieldCount++;
    return at;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    for (const key of ["starts", "ends", "closingQuotes"] as const) {
      const grown = new Int32Array(size);
      grown.set(this[key]);
      this[key] = grown;
    }
  }
}

/** Index of the quote closing the one at `open`, skipping `""` pairs; -1 if unclosed (then read as plain text). */
function closingQuote(bytes: Buffer, open: number, end: number): number {
  for (let at = open + 1; at < end; at++) {
    if (bytes[at] !== QUOTE) continue;
    if (at + 1 < end && bytes[at + 1] === QUOTE) at++;
    else return at;
  }
  return -1;
}

function idOfText(text: string): number {
  return /^\d{1,16}$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER ? Number(text) : -1;
}

/** Quotes a field when it holds a tab, a quote or a line break, doubling inner quotes. */
export function formatTsvField(value: string): string {
  return /[\t"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export interface FileProgress {
  bytesRead: number;
  totalBytes: number;
  /** True on the last step, after the final line was handled. */
  done: boolean;
}

/**
 * Streams a file into `parser` in large chunks, yielding after each chunk so the
 * caller can drain what its row handler collected (and after the final flush).
 */
export async function* parseTsvFile(
  path: string,
  parser: TsvParser,
  chunkSize = 1 << 20,
): AsyncGenerator<FileProgress> {
  const totalBytes = (await stat(path)).size;
  const stream = createReadStream(path, { highWaterMark: chunkSize });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parser.write(chunk);
    yield { bytesRead: stream.bytesRead, totalBytes, done: false };
  }
  parser.end();
  yield { bytesRead: totalBytes, totalBytes, done: true };
}
