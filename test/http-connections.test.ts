// What one client may hold of the service, over raw loopback sockets: errors Node answers before
// fastify sees a request, timeouts, the connection cap, and a client that pipelines without reading.
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../src/errors.js";
import { HTTP_ERRORS } from "../src/http/errors.js";
import { buildServer, type ServerOptions } from "../src/http/server.js";
import { ProfileStore } from "../src/index.js";
import { serveEmptyStore, serveGeneratedStore, startServer, type RunningServer } from "./helpers/http-server.js";

/** Every raw client a test opened, destroyed before its server closes (or closing would wait for them). */
const openClients = new Set<RawClient>();

/** A raw connection that records everything the server sends, and when the server closes it. */
class RawClient {
  readonly socket: Socket;
  received = "";
  closed = false;
  private readonly opened: Promise<void>;
  private readonly ended: Promise<void>;

  constructor(url: string) {
    this.socket = connect(Number(new URL(url).port), "127.0.0.1");
    openClients.add(this);
    this.opened = new Promise((resolve) => this.socket.once("connect", () => resolve()));
    this.ended = new Promise((resolve) => this.socket.once("close", () => resolve()));
    this.socket.on("data", (chunk) => (this.received += chunk.toString("latin1")));
    this.socket.on("error", () => {});
    this.socket.on("close", () => (this.closed = true));
  }

  async send(data: string): Promise<void> {
    await this.opened;
    this.socket.write(data);
  }

  /** Resolves true when the server closed the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.ended.then(() => true), sleep(ms).then(() => false)]);
  }

  /** Waits until `count` answers have arrived, or `ms`. */
  async answers(count: number, ms = 5_000): Promise<Answer[]> {
    const deadline = Date.now() + ms;
    while (parseAnswers(this.received).length < count && !this.closed && Date.now() < deadline) await sleep(10);
    return parseAnswers(this.received);
  }

  destroy(): void {
    this.socket.destroy();
    openClients.delete(this);
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** HTTP/1.1 answers with Content-Length bodies, as this service writes them. */
function parseAnswers(text: string): Answer[] {
  const answers: Answer[] = [];
  let rest = text;
  while (rest.includes("\r\n\r\n")) {
    const end = rest.indexOf("\r\n\r\n");
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    const length = Number(headers["content-length"] ?? 0);
    if (rest.length < end + 4 + length) break;
    answers.push({ status: Number(statusLine!.split(" ")[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

function expectCatalogueError(answer: Answer | undefined, status: number, code: string): void {
  expect(answer?.status).toBe(status);
  expect(answer?.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(answer!.body);
  expect(body).toEqual({ error: code, message: expect.any(String) });
  expect(HTTP_ERRORS[code as keyof typeof HTTP_ERRORS].status).toBe(status);
}

const GET_HEALTH = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

async function withServer(options: ServerOptions, test: (server: RunningServer) => Promise<void>): Promise<void> {
  const store = await ProfileStore.create();
  const server = await startServer(store, options);
  try {
    await test(server);
  } finally {
    for (const client of openClients) client.destroy();
    await server.close();
    await store.close();
  }
}

describe("answers Node gives before fastify are in the catalogue's shape", () => {
  const served = serveEmptyStore();

  it("a request line that is not HTTP: 400 bad_request, then the connection closes", async () => {
    const client = new RawClient(served.server.url);
    await client.send("HELLO THERE\r\n\r\n");
    const [answer] = await client.answers(1);
    expectCatalogueError(answer, 400, "bad_request");
    expect(JSON.parse(answer!.body).message).toMatch(/^the request is not valid HTTP: /);
    expect(await client.closedWithin(2_000)).toBe(true);
  });

  it("headers larger than Node's limit: 431 headers_too_large", async () => {
    const client = new RawClient(served.server.url);
    await client.send(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`);
    const [answer] = await client.answers(1);
    expectCatalogueError(answer, 431, "headers_too_large");
    expect(await client.closedWithin(2_000)).toBe(true);
  });

  it("an Expect other than 100-continue: 417 expectation_failed", async () => {
    const client = new RawClient(served.server.url);
    await client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: a-miracle\r\n\r\n");
    const [answer] = await client.answers(1);
    expectCatalogueError(answer, 417, "expectation_failed");
    client.destroy();
  });

  it("a request that reaches the server while it closes is answered, with Connection: close", async () => {
    await withServer({}, async (closing) => {
      const client = new RawClient(closing.url);
      // Half a request keeps the connection busy, so closing does not end it as idle.
      await client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      await sleep(50);
      const closed = closing.app.close();
      await sleep(50);
      await client.send("\r\n");
      const [answer] = await client.answers(1);
      expect(answer?.status).toBe(200);
      expect(answer?.headers.connection).toBe("close");
      expect(JSON.parse(answer!.body)).toEqual({ status: "ok" });
      await closed;
    });
  });
});

describe("timeouts", () => {
  it("cuts off a body trickled at 1 byte per second after requestTimeoutMs, with 408", async () => {
    await withServer({ requestTimeoutMs: 1_000 }, async (server) => {
      const client = new RawClient(server.url);
      await client.send("POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
      const started = Date.now();
      const body = `[${" ".repeat(98)}]`;
      for (let sent = 0; sent < body.length && !client.closed && Date.now() - started < 8_000; sent++) {
        await client.send(body[sent]!);
        await sleep(1_000);
      }
      expect(client.closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      expectCatalogueError(parseAnswers(client.received)[0], 408, "request_timeout");
    });
  });

  it("cuts off headers trickled slower than headersTimeoutMs", async () => {
    await withServer({ requestTimeoutMs: 2_000, headersTimeoutMs: 500 }, async (server) => {
      const client = new RawClient(server.url);
      await client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      const started = Date.now();
      while (!client.closed && Date.now() - started < 6_000) {
        await client.send("X");
        await sleep(200);
      }
      expect(Date.now() - started).toBeLessThan(2_000);
      expectCatalogueError(parseAnswers(client.received)[0], 408, "request_timeout");
    });
  });

  it("closes an idle keep-alive connection after keepAliveTimeoutMs", async () => {
    await withServer({ keepAliveTimeoutMs: 1_000 }, async (server) => {
      const client = new RawClient(server.url);
      await client.send(GET_HEALTH);
      expect((await client.answers(1))[0]?.headers["keep-alive"]).toBe("timeout=1");
      expect(await client.closedWithin(3_000)).toBe(true);
    });
  });

  it("refuses options that cannot work, naming them", async () => {
    const store = await ProfileStore.create();
    const cases: Array<[ServerOptions, string]> = [
      [{ requestTimeoutMs: 0 }, "requestTimeoutMs"],
      [{ requestTimeoutMs: 1_000, headersTimeoutMs: 2_000 }, "headersTimeoutMs"],
      [{ maxConnections: 0 }, "maxConnections"],
      [{ maxRequestsPerSocket: -1 }, "maxRequestsPerSocket"],
      [{ keepAliveTimeoutMs: 1.5 }, "keepAliveTimeoutMs"],
    ];
    for (const [options, parameter] of cases) {
      await expect(buildServer(store, options)).rejects.toThrow(InvalidInputError);
      await expect(buildServer(store, options)).rejects.toMatchObject({ parameter });
    }
    await store.close();
  });
});

describe("connections", () => {
  it("serves at most maxConnections at once; one more is closed unanswered", async () => {
    await withServer({ maxConnections: 2 }, async (server) => {
      const first = new RawClient(server.url);
      const second = new RawClient(server.url);
      for (const client of [first, second]) await client.send(GET_HEALTH);
      expect((await first.answers(1))[0]?.status).toBe(200);
      expect((await second.answers(1))[0]?.status).toBe(200);
      const third = new RawClient(server.url);
      await third.send(GET_HEALTH);
      expect(await third.closedWithin(2_000)).toBe(true);
      expect(third.received).toBe("");
      first.destroy();
      await sleep(100);
      const fourth = new RawClient(server.url);
      await fourth.send(GET_HEALTH);
      expect((await fourth.answers(1))[0]?.status).toBe(200);
      second.destroy();
      fourth.destroy();
    });
  });

  it("ends a connection after maxRequestsPerSocket answers, answering no request past it", async () => {
    await withServer({ maxRequestsPerSocket: 2 }, async (server) => {
      const client = new RawClient(server.url);
      await client.send(GET_HEALTH.repeat(3));
      expect(await client.closedWithin(3_000)).toBe(true);
      const answers = parseAnswers(client.received);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(answers[1]!.headers.connection).toBe("close");
      expect(client.received).not.toContain("HTTP/1.1 503");
    });
  });
});

describe("a client that pipelines requests and never reads the answers", () => {
  const suite = serveGeneratedStore();
  const PIPELINED = 20_000;

  it.each(["/profiles/{user}", "/metrics"])("of %s stays bounded, and /healthz keeps answering", async (template) => {
    const path = template.replace("{user}", String(suite.data.users[0]));
    const heapBefore = process.memoryUsage().heapUsed;
    const flood = new RawClient(suite.server.url);
    flood.socket.pause();
    await flood.send(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(PIPELINED));
    const openConnections = () =>
      new Promise<number>((resolve, reject) => suite.server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    let heapPeak = 0;
    let slowest = 0;
    let floodClosed = false;
    const started = Date.now();
    // /healthz for at least a second, until the service has closed the flooding connection (at most 5 s).
    while (Date.now() - started < 1_000 || (!floodClosed && Date.now() - started < 5_000)) {
      const asked = performance.now();
      const health = await fetch(`${suite.server.url}/healthz`);
      await health.text();
      slowest = Math.max(slowest, performance.now() - asked);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed - heapBefore);
      // The one connection fetch keeps alive may remain.
      floodClosed = (await openConnections()) <= 1;
      await sleep(50);
    }
    expect(slowest).toBeLessThan(1_000);
    expect(heapPeak).toBeLessThan(100 * 1024 * 1024);
    expect(floodClosed).toBe(true);
    flood.destroy();
  });
});
