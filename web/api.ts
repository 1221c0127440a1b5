// The dashboard's only way to the service: GraphQL queries and the mutation over fetch to /graphql,
// the live plays over WebSocket (graphql-ws) at /graphql-ws. The same documents ProfileClient sends,
// so it works against a Quick gateway too (which lacks profile-store's additions: see `missingField`).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql/language/printer";
import { createClient, type Client } from "graphql-ws";
import { ListeningEventUpdateDocument, type ListeningEventUpdateSubscription } from "../src/client/documents.js";

export type LiveEvent = NonNullable<ListeningEventUpdateSubscription["listeningEventUpdate"]>;

/** The service did not answer at all (refused, reset, not HTTP): the page says so and retries. */
export class UnreachableError extends Error {}

/** The service answered with GraphQL errors. */
export class GraphqlError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join("; "));
  }
}

export interface Connection {
  /** The service (or gateway) root, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Sent as X-API-Key (and as the WebSocket's connection parameter), as Quick's gateway expects. */
  apiKey?: string;
}

export class Api {
  private readonly texts = new WeakMap<object, string>();
  private ws?: Client;

  constructor(readonly connection: Connection) {}

  async request<Data, Variables>(document: TypedDocumentNode<Data, Variables> | string, variables?: Variables): Promise<Data> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.headers() },
        body: JSON.stringify({ query: typeof document === "string" ? document : this.text(document), variables: variables ?? {} }),
      });
    } catch (error) {
      throw new UnreachableError(`cannot reach ${this.connection.url}: ${(error as Error).message}`);
    }
    let body: { data?: Data | null; errors?: Array<{ message: string }> };
    try {
      body = await response.json();
    } catch {
      throw new UnreachableError(`${this.connection.url}/graphql answered ${response.status} without a GraphQL body`);
    }
    if (body.errors?.length) throw new GraphqlError(body.errors.map((e) => e.message));
    if (!body.data) throw new GraphqlError([`no data (status ${response.status})`]);
    return body.data;
  }

  /** Every play the service applies from now on; `onState` hears the socket open and close. */
  subscribe(onEvent: (event: LiveEvent) => void, onState: (open: boolean) => void): () => void {
    this.ws ??= createClient({
      url: `${this.connection.url.replace(/^http/, "ws")}/graphql-ws`,
      connectionParams: this.connection.apiKey ? { "x-api-key": this.connection.apiKey } : undefined,
      // Keep retrying while the service is away, at most every 2 s.
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: () => true,
      retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * 2 ** retries))),
      on: { connected: () => onState(true), closed: () => onState(false) },
    });
    return this.ws.subscribe<ListeningEventUpdateSubscription>(
      { query: this.text(ListeningEventUpdateDocument) },
      {
        next: (result) => {
          if (result.data?.listeningEventUpdate) onEvent(result.data.listeningEventUpdate);
        },
        error: () => onState(false),
        complete: () => undefined,
      },
    );
  }

  close(): void {
    void this.ws?.dispose();
    this.ws = undefined;
  }

  private text(document: object): string {
    let text = this.texts.get(document);
    if (text === undefined) this.texts.set(document, (text = print(document as never)));
    return text;
  }

  private headers(): Record<string, string> {
    return this.connection.apiKey ? { "x-api-key": this.connection.apiKey } : {};
  }
}

/** A gateway serving the seed's schema only (Quick's) refuses profile-store's additions this way. */
export function missingField(error: unknown): boolean {
  return error instanceof GraphqlError && error.messages.some((m) => m.startsWith("Cannot query field"));
}
