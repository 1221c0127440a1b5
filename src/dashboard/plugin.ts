// The dashboard at /: the files `npm run build:web` writes into build/web/, served as they are
// (pre-compressed copies when the browser accepts gzip or brotli). The page talks only GraphQL.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { packageFile } from "../package-file.js";

/**
 * Serves the built dashboard at / (index.html for /): by default the package's build/web/; throws,
 * naming the fix, when it is not built.
 */
export async function registerDashboard(app: FastifyInstance, root = dirname(packageFile("build/web/index.html", "run npm run build:web"))): Promise<void> {
  if (!existsSync(join(root, "index.html"))) throw new Error(`profile-store: no dashboard in ${root} (index.html is missing); run npm run build:web`);
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root,
      prefix: "/",
      // One route per file found now: any other path gets the service's own 404.
      wildcard: false,
      preCompressed: true,
      // Not hashed file names: the browser revalidates (ETag) instead of keeping a stale page.
      cacheControl: true,
      maxAge: 0,
      decorateReply: false,
      schemaHide: true,
    });
  });
}
