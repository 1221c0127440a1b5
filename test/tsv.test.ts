import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TsvParser, formatTsvField, parseTsvFile, type TsvRow } from "../src/ingest/tsv.js";

interface Row {
  lineNo: number;
  fields: string[];
  line: string;
}

function snapshot(row: TsvRow): Row {
  const fields = Array.from({ length: row.fieldCount }, (_, i) => row.text(i));
  return { lineNo: row.lineNo, fields, line: row.line() };
}

/** Parses `text` fed in pieces of `pieceSize` bytes (cutting through lines and UTF-8 characters). */
function parse(text: string, pieceSize = Infinity): Row[] {
  const rows: Row[] = [];
  const parser = new TsvParser((row) => rows.push(snapshot(row)));
  const bytes = Buffer.from(text, "utf8");
  const step = Math.min(pieceSize, bytes.length || 1);
  for (let at = 0; at < bytes.length; at += step) parser.write(bytes.subarray(at, at + step));
  parser.end();
  return rows;
}

function fieldsOf(text: string): string[][] {
  return parse(text).map((row) => row.fields);
}

/** The value `read` returns for a one-field line. */
function readField<T>(text: string, read: (row: TsvRow) => T): T {
  const values: T[] = [];
  const parser = new TsvParser((row) => values.push(read(row)));
  parser.write(Buffer.from(text));
  parser.end();
  expect(values).toHaveLength(1);
  return values[0];
}

describe("TsvParser fields", () => {
  it("splits lines on tabs", () => {
    expect(fieldsOf("1\tMegadeth\n2\tLil Wayne\n")).toEqual([
      ["1", "Megadeth"],
      ["2", "Lil Wayne"],
    ]);
  });

  it("keeps empty fields at the start, middle and end", () => {
    expect(fieldsOf("\ta\t\tb\t\n")).toEqual([["", "a", "", "b", ""]]);
  });

  it("unquotes quoted fields, with doubled quotes and tabs inside", () => {
    expect(fieldsOf('28668\t"Michał ""Jelonek"" Jelonek"\n')).toEqual([["28668", 'Michał "Jelonek" Jelonek']]);
    expect(fieldsOf('1\t"a\tb"\t3\n')).toEqual([["1", "a\tb", "3"]]);
    expect(fieldsOf('"7"""\t""\t""""\n')).toEqual([['7"', "", '"']]);
  });

  it("reads a quote inside an unquoted field literally", () => {
    expect(fieldsOf('12800\tTemptation [7" Version]\t869\n')).toEqual([["12800", 'Temptation [7" Version]', "869"]]);
  });

  it("keeps text after a closing quote and reads an unclosed quote as plain text", () => {
    expect(fieldsOf('"ab"cd\te\n')).toEqual([["abcd", "e"]]);
    expect(fieldsOf('1\t"Weird Al\t3\n')).toEqual([["1", '"Weird Al', "3"]]);
  });

  it("does not let a quoted field span lines", () => {
    expect(fieldsOf('1\t"open\n2\tnext"\n')).toEqual([
      ["1", '"open'],
      ["2", 'next"'],
    ]);
  });
});

describe("TsvParser lines", () => {
  it("handles CRLF, a last line without newline and blank lines, counting every line", () => {
    const rows = parse("1\ta\r\n\r\n\n2\tb\r\n3\tc");
    expect(rows.map((row) => [row.lineNo, row.fields])).toEqual([
      [1, ["1", "a"]],
      [4, ["2", "b"]],
      [5, ["3", "c"]],
    ]);
  });

  it("gives the raw line without its line ending", () => {
    expect(parse('1\t"x""y"\r\n').map((row) => row.line)).toEqual(['1\t"x""y"']);
  });

  it("gives the same rows however the input is cut into pieces", () => {
    const text = '1\tZoë "Ž"\r\n2\t"日本\t語"""\n\n3\t\t4\n5\tend';
    const whole = parse(text);
    expect(whole).toHaveLength(4);
    for (const size of [1, 2, 3, 5, 7]) expect(parse(text, size)).toEqual(whole);
  });

  it("skips a UTF-8 byte order mark", () => {
    expect(fieldsOf("\ufeff1\ta\n")).toEqual([["1", "a"]]);
  });

  it("reads empty input as no rows", () => {
    expect(parse("")).toEqual([]);
    expect(parse("\n\r\n")).toEqual([]);
  });

  it("handles lines with many fields", () => {
    const fields = Array.from({ length: 40 }, (_, i) => `f${i}`);
    expect(fieldsOf(fields.join("\t"))).toEqual([fields]);
  });
});

describe("TsvRow numbers", () => {
  const id = (text: string) => readField(text, (row) => row.id(0));
  const number = (text: string) => readField(text, (row) => row.number(0));

  it("reads digit-only ids up to 2^53-1", () => {
    expect(id("0")).toBe(0);
    expect(id("007")).toBe(7);
    expect(id("21072247")).toBe(21072247);
    expect(id(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(id('"42"')).toBe(42);
  });

  it("rejects anything else as an id", () => {
    for (const text of ["\t", "-1", "+1", "1.5", "1e3", " 1", "1 ", "0x10", "abc", "9007199254740992", "12345678901234567"]) {
      expect(readField(`${text}\tx`, (row) => row.id(0)), text).toBe(-1);
    }
  });

  it("reads plain decimals as numbers, anything else as NaN", () => {
    expect(number("1331060664")).toBe(1331060664);
    expect(number("1331060664.5")).toBe(1331060664.5);
    expect(number("-3")).toBe(-3);
    for (const text of ["1e3", "0x10", "0b1", "+5", " 5", "Infinity", "abc", '""', "  ", "1.", ".5"]) expect(number(text), text).toBeNaN();
  });
});

describe("formatTsvField", () => {
  it("quotes only when needed", () => {
    expect(formatTsvField("Megadeth")).toBe("Megadeth");
    expect(formatTsvField("")).toBe("");
    expect(formatTsvField('7" Version')).toBe('"7"" Version"');
    expect(formatTsvField("a\tb")).toBe('"a\tb"');
    expect(formatTsvField("a\r")).toBe('"a\r"');
  });

  it("round-trips through the parser", () => {
    const values = ['He said "hi"', "tab\there", '"', '""', "plain", "", 'end"', "\t"];
    expect(fieldsOf(values.map(formatTsvField).join("\t") + "\n")).toEqual([values]);
  });
});

describe("parseTsvFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tsv-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("streams a file in chunks, reporting progress up to its size", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${i}\t"name ""${i}"""\t${i * 7}`);
    const path = join(dir, "rows.txt");
    const text = lines.join("\r\n");
    await writeFile(path, text);
    const rows: string[][] = [];
    const parser = new TsvParser((row) => rows.push(snapshot(row).fields));
    const progress: number[] = [];
    const done: boolean[] = [];
    for await (const step of parseTsvFile(path, parser, 1000)) {
      expect(step.totalBytes).toBe(Buffer.byteLength(text));
      progress.push(step.bytesRead);
      done.push(step.done);
    }
    expect(done.indexOf(true)).toBe(done.length - 1);
    expect(rows).toHaveLength(1000);
    expect(rows[999]).toEqual(["999", 'name "999"', "6993"]);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(Buffer.byteLength(text));
  });
});
