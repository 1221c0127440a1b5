// A directory and its missing parents, made one level at a time: Node 20's mkdir(..., { recursive: true })
// loops forever on a path it cannot make under /proc, and on a read-only parent says only ENOENT where
// a mkdir of the level itself names it and the cause (EROFS, EACCES).
import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** Makes `path` and its missing parents; an error names the level that could not be read or made, and why. */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (found?.isDirectory()) break;
    if (found) throw new Error(`${dir} is not a directory`);
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
}
