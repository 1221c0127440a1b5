// makeDirectory, behind --state-dir, generate --out and evaluate --out: missing parents made, and a
// path that cannot be made refused naming the level at fault, where Node 20's recursive mkdir hangs
// (under /proc) or says ENOENT (a read-only parent).
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { makeDirectory } from "../src/make-directory.js";

const root = await mkdtemp(join(tmpdir(), "profile-store-make-directory-"));
afterAll(() => rm(root, { recursive: true, force: true }));

it("makes every missing level, and takes a directory that exists", async () => {
  const deep = join(root, "a", "b", "c");
  await makeDirectory(deep);
  expect((await stat(deep)).isDirectory()).toBe(true);
  await makeDirectory(deep);
  await makeDirectory(join(root, "a"));
});

it("refuses a path through a file, naming the file", async () => {
  const file = join(root, "file");
  await writeFile(file, "");
  await expect(makeDirectory(file)).rejects.toThrow(`${file} is not a directory`);
  await expect(makeDirectory(join(file, "sub"))).rejects.toThrow(`ENOTDIR: not a directory, stat '${join(file, "sub")}'`);
});

it.skipIf(!existsSync("/proc/self"))("refuses a path under /proc at once, naming it (a recursive mkdir loops there)", async () => {
  await expect(makeDirectory("/proc/profile-store-test/out")).rejects.toThrow("ENOENT: no such file or directory, mkdir '/proc/profile-store-test'");
}, 5000);
