import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

/**
 * The LFM-1b text format: one record per line, fields separated by tabs, no header.
 * A field may be wrapped in double quotes (then it may hold tabs, and `""` is a
 * literal quote). Quoted fields never span lines: a record is always one line.
 */

const CR = 13;
const QUOTE = 34;

/** Called once per non-blank line; `fields` is reused, so copy it to keep it. */
export type RowHandler = (fields: string[], lineNo: number) => void;

/** Splits text fed in arbitrary pieces into lines and fields. */
export class TsvParser {
  private carry = "";
  private lineNo = 0;
  private readonly fields: string[] = [];
  private text = "";
  private lineStart = 0;
  private lineEnd = 0;

  constructor(private readonly onRow: RowHandler) {}

  /** The raw text of the row being handled (without line ending); valid only inside the handler. */
  currentLine(): string {
    return this.text.slice(this.lineStart, this.lineEnd);
  }

  write(chunk: string): void {
    const text = this.carry + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      this.line(text, start, nl);
      start = nl + 1;
    }
    this.carry = text.slice(start);
  }

  /** Flushes a last line that has no newline. */
  end(): void {
    const rest = this.carry;
    this.carry = "";
    if (rest.length > 0) this.line(rest, 0, rest.length);
  }

  private line(text: string, start: number, end: number): void {
    this.lineNo++;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    if (end === start) return;
    this.text = text;
    this.lineStart = start;
    this.lineEnd = end;
    this.split(text, start, end);
    this.onRow(this.fields, this.lineNo);
  }

  private split(text: string, start: number, end: number): void {
    const fields = this.fields;
    fields.length = 0;
    let i = start;
    for (;;) {
      i = i < end && text.charCodeAt(i) === QUOTE ? this.quoted(text, i, end) : this.plain(text, i, end);
      if (i >= end) return;
      i++; // skip the tab
    }
  }

  /** Pushes the unquoted field starting at `from`; returns the index of its end. */
  private plain(text: string, from: number, end: number): number {
    const stop = fieldEnd(text, from, end);
    this.fields.push(text.slice(from, stop));
    return stop;
  }

  /**
   * Pushes the quoted field starting at `open`. Text between the closing quote and
   * the next tab is kept as is; a quote never closed is read as a plain field, so a
   * stray quote cannot swallow the rest of the line.
   */
  private quoted(text: string, open: number, end: number): number {
    let value = "";
    let from = open + 1;
    for (;;) {
      const q = text.indexOf('"', from);
      if (q === -1 || q >= end) return this.plain(text, open, end);
      value += text.slice(from, q);
      if (q + 1 < end && text.charCodeAt(q + 1) === QUOTE) {
        value += '"';
        from = q + 2;
        continue;
      }
      const stop = fieldEnd(text, q + 1, end);
      this.fields.push(value + text.slice(q + 1, stop));
      return stop;
    }
  }
}

function fieldEnd(text: string, from: number, end: number): number {
  const tab = text.indexOf("\t", from);
  return tab === -1 || tab > end ? end : tab;
}

/** Quotes a field when it holds a tab, a quote or a line break, doubling inner quotes. */
export function formatTsvField(value: string): string {
  return /[\t"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export interface FileProgress {
  bytesRead: number;
  totalBytes: number;
}

/**
 * Streams a UTF-8 file into `parser` in large chunks, yielding after each chunk so
 * the caller can drain what its row handler collected (and after the final flush).
 */
export async function* parseTsvFile(
  path: string,
  parser: TsvParser,
  chunkSize = 1 << 20,
): AsyncGenerator<FileProgress> {
  const totalBytes = (await stat(path)).size;
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: chunkSize });
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.write(first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk);
    first = false;
    yield { bytesRead: stream.bytesRead, totalBytes };
  }
  parser.end();
  yield { bytesRead: totalBytes, totalBytes };
}
