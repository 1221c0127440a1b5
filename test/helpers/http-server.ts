import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { App } from "../../src/http/context.js";
import { buildServer, type ServerOptions } from "../../src/http/server.js";
import { createGenerator, type LfmGenerator } from "../../src/ingest/generator.js";
import { ProfileStore } from "../../src/index.js";

export interface RunningServer {
  app: App;
  url: string;
  close(): Promise<void>;
}

/** A real server on a free loopback port. */
export async function startServer(store: ProfileStore, options: ServerOptions = {}): Promise<RunningServer> {
  const app = await buildServer(store, options);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Small generated data: enough co-listening for non-empty recommendations, fast to build. */
export const SMALL_DATA = { users: 60, artists: 300, events: 20_000, seed: 7 } as const;

export interface GeneratedStore {
  store: ProfileStore;
  generator: LfmGenerator;
  /** Every listener's id, most active first. */
  users: number[];
}

/** A store with the generator's events and the names of its catalogue; it walks on a walker thread, as `serve` does. */
async function generatedStore(): Promise<GeneratedStore> {
  const generator = createGenerator(SMALL_DATA);
  const store = await ProfileStore.create({ walkerThreads: 1 });
  const seen = new Set<number>();
  for (const batch of generator.eventBatches(SMALL_DATA.events)) {
    store.ingest(batch);
    for (const id of batch.userId) seen.add(id);
  }
  const { artists, albums, tracks } = generator.catalogue;
  store.setNames("ARTIST", artists);
  store.setNames("ALBUM", albums.map(([id, name]) => [id, name] as const));
  store.setNames("TRACK", tracks.map(([id, name]) => [id, name] as const));
  const plays = (id: number) => store.profile(id)!.totalListenCount;
  return { store, generator, users: [...seen].sort((a, b) => plays(b) - plays(a)) };
}

export interface ServedStore {
  data: GeneratedStore;
  server: RunningServer;
}

/** For the enclosing suite: a generated store served on loopback before its tests, both closed after. */
export function serveGeneratedStore(options: ServerOptions = {}): ServedStore {
  const served = {} as ServedStore;
  beforeAll(async () => {
    served.data = await generatedStore();
    served.server = await startServer(served.data.store, options);
  });
  afterAll(async () => {
    await served.server?.close();
    await served.data?.store.close();
  });
  return served;
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}
