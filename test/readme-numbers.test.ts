// README's Benchmarks section quotes only what a benchmark prints. Its output is pasted: every
// markdown table there must be one a bench/ script prints (the header line verbatim in the script,
// every row matching one of its output lines), and so must each line of output pasted beside a table.
// The prose may repeat a number of that pasted output but type none of its own: a figure from an
// earlier run, a hand-made estimate or a typo fails this test. (Numbers inside `code` are commands and
// options; they must occur in a bench script, as its defaults do.)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One line a bench can print: its literal text, with a hole wherever the code computes a value. */
interface OutputLine {
  bench: string;
  source: string;
  pattern: RegExp;
  /** Characters of literal text other than blanks and table pipes: how much the line pins down. */
  literal: number;
}

const HOLE = /\$\{(?:[^{}]|\{[^{}]*\})*\}/g;

/** The lines each string and template literal of a bench source can print. */
function outputLines(bench: string, source: string): OutputLine[] {
  const joined = source.replace(/`\s*\+\s*`/g, "").replace(/"\s*\+\s*"/g, ""); // "a" + "b" is one line
  const literals = [...joined.matchAll(/`((?:[^`\\]|\\.)*)`|"((?:[^"\\]|\\.)*)"/g)].map(([, template, string]) => template ?? string!);
  return literals.flatMap((literal) =>
    literal
      .replace(/\\n/g, "\n")
      .replace(/\\(.)/g, "$1")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const parts = line.split(HOLE);
        const pattern = new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^|]*?")}$`);
        return { bench, source: line, pattern, literal: parts.join("").replace(/[\s|]/g, "").length };
      }),
  );
}

const BENCHES = readdirSync(join(ROOT, "bench")).filter((file) => file.endsWith(".ts"));
const SOURCES = new Map(BENCHES.map((file) => [file, readFileSync(join(ROOT, "bench", file), "utf8")]));
const OUTPUT = [...SOURCES].flatMap(([bench, source]) => outputLines(bench, source));

/** Numbers as written, commas dropped; digits glued to a letter (p99, wasm32) are names, not numbers. */
function numbers(text: string): string[] {
  return [...text.matchAll(/(?<![\p{L}\d.,])\d+(?:[.,]\d+)*/gu)].map(([n]) => n.replace(/,/g, ""));
}

/** The section's lines, and the README line number of its first. */
function benchmarksSection(readme: string): { lines: string[]; firstLine: number } {
  const start = readme.indexOf("\n## Benchmarks\n");
  if (start < 0) throw new Error("README has no Benchmarks section");
  const end = readme.indexOf("\n## ", start + 1);
  return { lines: readme.slice(start + 1, end < 0 ? undefined : end).split("\n"), firstLine: readme.slice(0, start + 1).split("\n").length };
}

interface Verdict {
  /** Problems with pasted tables and output lines. */
  tables: string[];
  /** Numbers in the prose that the pasted output does not hold. */
  prose: string[];
}

/** Checks a Benchmarks section whose first line is README line `firstLine`. */
function check(lines: string[], firstLine = 1): Verdict {
  const verdict: Verdict = { tables: [], prose: [] };
  const printed = new Set<string>();
  const proseLines: [number, string][] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced || line.startsWith("```")) continue;
    if (line.startsWith("|")) {
      const table: string[] = [];
      while (i < lines.length && lines[i]!.startsWith("|")) table.push(lines[i++]!);
      i--;
      checkTable(table, verdict.tables);
      for (const row of table) numbers(row).forEach((n) => printed.add(n));
    } else if (OUTPUT.some((output) => output.literal >= 12 && output.pattern.test(line))) {
      numbers(line).forEach((n) => printed.add(n));
    } else {
      proseLines.push([firstLine + i, line]);
    }
  }
  const benchDigits = new Set([...SOURCES.values()].flatMap((source) => numbers(source)));
  for (const [number, line] of proseLines) {
    const code = [...line.matchAll(/`[^`]*`/g)].map(([span]) => span).join(" ");
    const prose = line.replace(/`[^`]*`/g, " ");
    for (const n of numbers(prose)) if (!printed.has(n)) verdict.prose.push(`line ${number}: ${n}`);
    for (const n of numbers(code)) if (!benchDigits.has(n)) verdict.prose.push(`line ${number}: ${n} (in code)`);
  }
  return verdict;
}

/** A table is a bench's if its header line is in the bench's source and each row matches one of its lines. */
function checkTable(table: string[], problems: string[]): void {
  const [header, separator, ...rows] = table;
  const owners = OUTPUT.filter((output) => output.source === header && output.literal > 0).map((output) => output.bench);
  if (owners.length === 0) {
    problems.push(`no bench prints the table header ${header}`);
    return;
  }
  const own = OUTPUT.filter((output) => owners.includes(output.bench));
  if (!own.some((output) => output.source === separator)) problems.push(`no bench prints the separator ${separator} under ${header}`);
  for (const row of rows) {
    const label = row.split("|")[1]!.trim();
    const matching = own.filter((output) => output.pattern.test(row));
    // The row's label is literal text of the line, or a literal of its own when the line prints it whole.
    const labelled = matching.some((output) => {
      const cell = output.source.split("|")[1] ?? "";
      return cell.replace(HOLE, "").trim().length >= 3 || own.some((o) => o.literal >= 3 && o.pattern.test(label));
    });
    if (!labelled) problems.push(`no bench prints the row ${row}`);
  }
}

describe("README's Benchmarks section", () => {
  const { lines: section, firstLine } = benchmarksSection(readFileSync(join(ROOT, "README.md"), "utf8"));

  it("pastes only tables and lines that a bench prints", () => {
    expect(check(section, firstLine).tables).toEqual([]);
  });

  it("quotes in its prose no number the pasted output does not hold", () => {
    expect(check(section, firstLine).prose).toEqual([]);
  });

  it("catches a figure typed into the prose, a row no bench prints and a table no bench prints", () => {
    const table = section.findIndex((line) => line.startsWith("| measure |"));
    expect(table).toBeGreaterThan(0);
    const doctored = [...section];
    doctored.splice(table + 2, 0, "| ingest, events/s on a quiet day | 9 | 9 | 1.0x | |");
    doctored.push("", "Three earlier runs gave 1,583,201 events/s.", "", "| measure | wasm |", "|---|---|", "| speed | 12 |");
    const verdict = check(doctored);
    expect(verdict.prose).toContain(`line ${doctored.length - 4}: 1583201`); // lines counted from 1 here
    expect(verdict.tables).toEqual([
      "no bench prints the row | ingest, events/s on a quiet day | 9 | 9 | 1.0x | |",
      "no bench prints the table header | measure | wasm |",
    ]);
  });
});
