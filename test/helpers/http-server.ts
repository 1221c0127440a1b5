// Services for the HTTP tests, started by the service module as `serve` starts them: on a free
// loopback port, quiet, without a drain (a test closes when it is done).
import { afterAll, beforeAll } from "vitest";
import type { App } from "../../src/http/context.js";
import { createGenerator, type LfmGenerator } from "../../src/ingest/generator.js";
import { ProfileStore } from "../../src/index.js";
import { startService, type Service } from "../../src/service/service.js";
import type { DataSource, ServerSettings, ServiceSettings } from "../../src/service/settings.js";

export interface RunningServer {
  app: App;
  url: string;
  service: Service;
  close(): Promise<void>;
}

/** A ready service from `source`; `settings` may add to or override the test defaults. */
export async function startTestService(source: DataSource, settings: Partial<ServiceSettings> = {}): Promise<Service> {
  const service = await startService({ source, host: "127.0.0.1", port: 0, drainSeconds: 0, logLevel: "silent", ...settings });
  await service.ready;
  return service;
}

/** A service of `store`, which the caller closes. */
export async function startServer(store: ProfileStore, server: ServerSettings = {}): Promise<RunningServer> {
  const service = await startTestService({ kind: "store", store }, { server });
  return { app: service.app, url: service.url, service, close: () => service.close() };
}

/** For the enclosing suite: an empty store served on loopback before its tests, both closed after. */
export function serveEmptyStore(server: ServerSettings = {}): { store: ProfileStore; server: RunningServer } {
  const served = {} as { store: ProfileStore; server: RunningServer };
  beforeAll(async () => {
    served.store = await ProfileStore.create();
    served.server = await startServer(served.store, server);
  });
  afterAll(async () => {
    await served.server?.close();
    await served.store?.close();
  });
  return served;
}

/** Small generated data: enough co-listening for non-empty recommendations, fast to build. */
export const SMALL_DATA = { users: 60, artists: 300, events: 20_000, seed: 7 } as const;

export interface GeneratedStore {
  store: ProfileStore;
  generator: LfmGenerator;
  /** Every listener's id, most active first. */
  users: number[];
}

export interface ServedStore {
  data: GeneratedStore;
  server: RunningServer;
}

/**
 * For the enclosing suite: the embedded demo on SMALL_DATA (no live stream), walking on a walker
 * thread as `serve` does, with timestamps in ms as the SDK's default; closed after the suite.
 */
export function serveGeneratedStore(server: ServerSettings = {}): ServedStore {
  const served = {} as ServedStore;
  beforeAll(async () => {
    const service = await startTestService({ kind: "demo", ...SMALL_DATA, liveRate: 0 }, { server, walkerThreads: 1, timestampUnit: "ms" });
    const { store } = service;
    const generator = createGenerator(SMALL_DATA);
    const seen = new Set<number>();
    for (const batch of generator.eventBatches(SMALL_DATA.events)) for (const id of batch.userId) seen.add(id);
    const plays = (id: number) => store.profile(id)!.totalListenCount;
    served.data = { store, generator, users: [...seen].sort((a, b) => plays(b) - plays(a)) };
    served.server = { app: service.app, url: service.url, service, close: () => service.close() };
  });
  afterAll(() => served.server?.close());
  return served;
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}
