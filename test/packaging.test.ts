// What `npm publish` would ship, and what `npm ci` says about engines. Needs a built tree (`npm test`
// builds first).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const npm = (args: string[], cwd = ROOT) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_loglevel: "warn" } });

describe("the published package", () => {
  const [pack] = JSON.parse(npm(["pack", "--dry-run", "--json", "--ignore-scripts"])) as [{ files: { path: string }[] }];
  const files = pack.files.map((file) => file.path);

  it("holds the wasm, the OpenAPI document, the docs and the built library and CLI", () => {
    for (const path of [
      "build/profile-store.wasm",
      "openapi/openapi.json",
      "docs/data.md",
      "docs/salsa.md",
      "docs/rest.md",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/cli/main.js",
      "dist/assembly/constants.js",
      "README.md",
      "package.json",
    ]) {
      expect(files, path).toContain(path);
    }
  });

  it("holds no tests, benchmarks, sources or scripts", () => {
    const unwanted = files.filter((path) => /^(test|bench|src|assembly|scripts|examples|dist\/test|dist\/bench|dist\/scripts|dist\/examples)\//.test(path));
    expect(unwanted).toEqual([]);
  });

  describe("unpacked on its own", () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-store-pack-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("loads the kernels, answers a recommendation and runs its CLI", () => {
      const tarball = npm(["pack", "--ignore-scripts", "--pack-destination", dir]).trim().split("\n").pop()!;
      execFileSync("tar", ["-xzf", join(dir, tarball), "-C", dir]);
      const unpacked = join(dir, "package");
      // The dependencies come from this checkout; everything of the package itself from the tarball.
      symlinkSync(join(ROOT, "node_modules"), join(unpacked, "node_modules"));
      const script = `
        const { ProfileStore } = await import("./dist/src/index.js");
        const store = await ProfileStore.create();
        store.ingest([
          { userId: 1, artistId: 10, albumId: 1, trackId: 1, timestamp: 0 },
          { userId: 2, artistId: 10, albumId: 1, trackId: 1, timestamp: 0 },
          { userId: 2, artistId: 20, albumId: 2, trackId: 2, timestamp: 0 },
        ]);
        console.log(JSON.stringify(store.recommend(1, "ARTIST", { seed: 1 }).recommendations.map((r) => r.id)));`;
      const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: unpacked, encoding: "utf8" });
      expect(output.trim()).toBe("[20]");
      const help = execFileSync(process.execPath, ["dist/src/cli/main.js", "serve", "--help"], { cwd: unpacked, encoding: "utf8" });
      expect(help).toContain("--port");
    });
  });
});

/** Packages the library's sources import (node: builtins aside), by package name. */
function packagesImportedBy(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".ts")) continue;
    const source = readFileSync(join(ROOT, dir, file), "utf8");
    for (const [, from, bare] of source.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm)) {
      const specifier = from ?? bare;
      if (specifier!.startsWith(".") || specifier!.startsWith("node:")) continue;
      const parts = specifier!.split("/");
      names.add(specifier!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  }
  return names;
}

describe("package.json dependencies", () => {
  it("are exactly the packages src/ imports (tests and benchmarks use devDependencies)", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...packagesImportedBy("src")].sort());
  });
});

describe("npm ci", () => {
  it("finds every locked package's engines satisfied by this Node (no EBADENGINE)", () => {
    const result = spawnSync("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr + result.stdout).not.toContain("EBADENGINE");
  });
});
