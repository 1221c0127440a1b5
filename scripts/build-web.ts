// Bundles the dashboard (web/) into build/web/: index.html, app.js and app.css (uPlot's CSS
// included), minified, each also written gzip- and brotli-compressed for @fastify/static's
// preCompressed serving.   npm run build:web
import { copyFile, mkdir, readdir, rm, writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB_BUILD = join(ROOT, "build/web");

/** Builds the dashboard; returns each file's size as served (raw and gzip). */
export async function buildWeb(outDir = WEB_BUILD): Promise<Array<{ file: string; bytes: number; gzip: number }>> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(ROOT, "web/main.ts") },
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022"],
    outdir: outDir,
    legalComments: "none",
    logLevel: "warning",
  });
  await copyFile(join(ROOT, "web/index.html"), join(outDir, "index.html"));
  const sizes = [];
  for (const file of await readdir(outDir)) {
    const content = await readFile(join(outDir, file));
    const gzip = gzipSync(content, { level: 9 });
    await writeFile(join(outDir, `${file}.gz`), gzip);
    await writeFile(join(outDir, `${file}.br`), brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    sizes.push({ file, bytes: content.length, gzip: gzip.length });
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { file, bytes, gzip } of await buildWeb()) console.log(`build/web/${file}: ${bytes} bytes, ${gzip} gzipped`);
}
