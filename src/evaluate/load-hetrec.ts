// Reads interaction data in the layout of hetrec2011-lastfm-2k's user_artists.dat: a header line
// (userID, artistID, weight), then one tab-separated row per (user, artist) with the play count.
import { TsvParser, parseTsvFile, type TsvRow } from "../ingest/tsv.js";
import { InteractionsBuilder, type Interactions } from "./interactions.js";

const COLUMNS = ["user", "item", "plays"] as const;

/** Loads the file; a bad line is an error that names the file, the line and the value. */
export async function loadHetrec(path: string): Promise<Interactions> {
  const builder = new InteractionsBuilder();
  let problem: string | undefined;
  let sawLine = false;
  const parser = new TsvParser((row) => {
    if (problem !== undefined) return;
    sawLine = true;
    problem = row.lineNo === 1 ? checkHeader(row) : addRow(builder, row);
  });
  for await (const _ of parseTsvFile(path, parser)) {
    if (problem !== undefined) throw new Error(`${path}: ${problem}`);
  }
  if (!sawLine) throw new Error(`${path}: the file is empty; line 1 must be the header (userID, artistID, weight)`);
  return builder.build();
}

function checkHeader(row: TsvRow): string | undefined {
  if (row.fieldCount === 3 && row.id(0) < 0 && row.id(1) < 0 && row.id(2) < 0) return undefined;
  return `line 1 must be the header (userID, artistID, weight), got "${row.line()}"`;
}

function addRow(builder: InteractionsBuilder, row: TsvRow): string | undefined {
  if (row.fieldCount !== 3) return `line ${row.lineNo}: expected 3 tab-separated fields (user, item, plays), got ${row.fieldCount}`;
  for (let c = 0; c < 3; c++) {
    if (row.id(c) < 0 || (c === 2 && row.id(c) === 0)) {
      const allowed = c === 2 ? "a positive integer" : "a non-negative integer";
      return `line ${row.lineNo}: ${COLUMNS[c]} must be ${allowed}, got "${row.text(c)}"`;
    }
  }
  builder.add(row.id(0), row.id(1), row.id(2));
  return undefined;
}
