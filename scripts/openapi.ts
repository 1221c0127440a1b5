// Writes openapi/openapi.json from the routes' zod schemas (npm run openapi). The committed file is
// checked by test/http-openapi.test.ts, which fails when it differs from what the code generates.
import { writeFileSync } from "node:fs";
import { openapiJson } from "../src/http/openapi.js";
import { buildServer } from "../src/http/server.js";
import { ProfileStore } from "../src/index.js";

const app = await buildServer(await ProfileStore.create());
const target = new URL("../openapi/openapi.json", import.meta.url);
writeFileSync(target, await openapiJson(app));
await app.close();
console.log(`wrote ${target.pathname}`);
