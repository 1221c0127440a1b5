// The code cites the contracts it implements in docs/; every citation must lead somewhere: the file
// exists and holds a heading with the cited anchor. Nothing cites design notes outside the repository.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CODE_DIRS = ["src", "assembly", "test", "bench", "scripts", "examples"];

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ts|md)$/.test(file))
    .map((file) => join(dir, file));
}

const sources = [...CODE_DIRS.flatMap(filesUnder), "README.md", ...filesUnder("docs")];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, "").replace(/ /g, "-");
}

function anchorsOf(doc: string): Set<string> {
  const text = readFileSync(join(ROOT, "docs", doc), "utf8");
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => slug(heading!)));
}

/** [where, doc, anchor] for every docs/<file>.md#<anchor> in code and README, and <file>.md#<anchor> links inside docs/. */
function citations(): [string, string, string | undefined][] {
  return sources.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    const pattern = file.startsWith("docs") ? /\]\(([\w-]+\.md)(?:#([\w-]+))?\)/g : /\bdocs\/([\w-]+\.md)(?:#([\w-]+))?/g;
    return [...text.matchAll(pattern)].map(([, doc, anchor]) => [file, doc!, anchor] as [string, string, string | undefined]);
  });
}

describe("citations of the contracts", () => {
  it("lead to an existing file in docs/ and a heading in it", () => {
    const found = citations();
    expect(found.length).toBeGreaterThan(5);
    const broken = found.filter(([, doc, anchor]) => !existsSync(join(ROOT, "docs", doc)) || (anchor !== undefined && !anchorsOf(doc).has(anchor)));
    expect(broken).toEqual([]);
  });

  it("never point at design notes that are not in the repository", () => {
    const outside = sources.filter((file) => /\bDESIGN\.md\b/.test(readFileSync(join(ROOT, file), "utf8")));
    expect(outside).toEqual([]);
  });
});
