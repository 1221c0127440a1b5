// A typed client of the GraphQL API, for this service or a Quick gateway serving the seed's schema:
// queries and the mutation over HTTP (graphql-request), the live events over WebSocket (graphql-ws).
// The documents and their types are generated from the schema (src/client/documents.ts).
import { print } from "graphql";
import { GraphQLClient } from "graphql-request";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import {
  ArtistRecommendationsDocument,
  ListenersDocument,
  ListeningEventUpdateDocument,
  RecommendationsDocument,
  SearchItemsDocument,
  SendListeningEventDocument,
  ServiceStatusDocument,
  UserProfileDocument,
  type EdgeWeight,
  type FieldType,
  type ListenerOrder,
  type ListenersQuery,
  type ListeningEventInput,
  type ListeningEventUpdateSubscription,
  type Preset,
  type RecommendMethod,
  type ServiceStatusQuery,
  type UserProfileQuery,
} from "./documents.js";

export type { EdgeWeight, FieldType, ListenerOrder, ListeningEventInput, Preset, RecommendMethod } from "./documents.js";

export interface ProfileClientOptions {
  /** The service (or gateway) root, e.g. http://127.0.0.1:8080; the API is at /graphql, subscriptions at /graphql-ws. */
  url: string;
  /** Sent as X-API-Key, as Quick's gateway expects it. */
  apiKey?: string;
}

export type UserProfile = NonNullable<UserProfileQuery["getUserProfile"]>;
export type Listener = ListenersQuery["listeners"][number];
export type ServiceStatus = ServiceStatusQuery["serviceStatus"];
export type LiveEvent = NonNullable<ListeningEventUpdateSubscription["listeningEventUpdate"]>;

/** The seed's parameters, which Quick gateways take too. */
interface SeedRecommendationOptions {
  limit?: number;
  walks?: number;
  walkLength?: number;
  resetProbability?: number;
}

/** The rest of the REST route's parameters (profile-store only); see README "Presets". */
export interface RecommendationOptions extends SeedRecommendationOptions {
  /** A fixed seed gives the same answer on the same data. */
  seed?: number;
  /** Score = visits (or walk weight) / degree^popularityPenalty, 0 to 1. */
  popularityPenalty?: number;
  /** The parameter set under the explicit ones; default: the service's default preset. */
  preset?: Preset;
  method?: RecommendMethod;
  /** Exact walk: the most similar co-listeners kept. */
  neighbours?: number;
  itemExponent?: number;
  userExponent?: number;
  /** Exact walk: edges read per node at most. */
  hubCap?: number;
  edgeWeight?: EdgeWeight;
  /** Exact walk: 0 weighs co-listeners by similarity; above 0, by a ridge regression with this ridge. */
  ridge?: number;
}

export interface ClientRecommendation {
  id: number;
  name?: string;
  score?: number;
}

export class ProfileClient {
  private readonly http: GraphQLClient;
  private ws?: WsClient;

  constructor(private readonly options: ProfileClientOptions) {
    const root = options.url.replace(/\/+$/, "");
    this.http = new GraphQLClient(`${root}/graphql`, { headers: this.headers() });
  }

  /** The listener's metrics and charts with names; null for an unknown listener. */
  async getUserProfile(userId: number): Promise<UserProfile | null> {
    const data = await this.http.request(UserProfileDocument, { userId }).catch(nullWhenUnknown);
    return data?.getUserProfile ?? null;
  }

  /**
   * Recommendations with names. With the seed's parameters only, through the seed's
   * getArtistRecommendations (which Quick gateways serve too); with any other, through
   * profile-store's getRecommendations.
   */
  async getRecommendations(userId: number, field: FieldType = "ARTIST", options: RecommendationOptions = {}): Promise<ClientRecommendation[]> {
    const { limit, walks, walkLength, resetProbability, ...extended } = options;
    const seedOptions: SeedRecommendationOptions = { limit, walks, walkLength, resetProbability };
    if (Object.values(extended).every((value) => value === undefined)) {
      const data = await this.http.request(ArtistRecommendationsDocument, { userId, field, ...seedOptions });
      return (data.getArtistRecommendations?.recommendations ?? []).map(({ id, artist }) => ({ id, ...named(field === "ARTIST" ? artist : undefined) }));
    }
    const data = await this.http.request(RecommendationsDocument, { userId, field, ...seedOptions, ...extended });
    return (data.getRecommendations?.recommendations ?? []).map(({ id, score, item }) => ({ id, ...(score == null ? {} : { score }), ...named(item) }));
  }

  /** Sends one play; resolves once the service has taken it (with Kafka: once the broker has it). */
  async sendListeningEvent(event: ListeningEventInput): Promise<ListeningEventInput> {
    const data = await this.http.request(SendListeningEventDocument, { userId: event.userId, event });
    return data.sendListeningEvent!;
  }

  /** Listeners by latest play or by play count (profile-store only). */
  async listeners(options: { limit?: number; order?: ListenerOrder } = {}): Promise<Listener[]> {
    return (await this.http.request(ListenersDocument, options)).listeners;
  }

  /** Catalogue items of `field` whose name contains `text` (2 to 100 characters), ignoring case (profile-store only). */
  async searchItems(field: FieldType, text: string, limit?: number): Promise<Array<{ id: number; name: string }>> {
    return (await this.http.request(SearchItemsDocument, { field, text, limit })).searchItems;
  }

  /** Events applied, listeners, graph sizes, readiness and Kafka lag (profile-store only). */
  async serviceStatus(): Promise<ServiceStatus> {
    return (await this.http.request(ServiceStatusDocument)).serviceStatus;
  }

  /** Calls `onEvent` with every play the service applies from now on; returns a function that stops. */
  subscribe(onEvent: (event: LiveEvent) => void, onError: (error: unknown) => void = () => undefined): () => void {
    this.ws ??= createClient({
      url: `${this.options.url.replace(/^http/, "ws").replace(/\/+$/, "")}/graphql-ws`,
      // The key in the upgrade request's header, which a service checks for reads before any message,
      // and in the connection parameters, where a Quick gateway looks.
      webSocketImpl: withHeaders(this.headers()),
      connectionParams: this.options.apiKey ? { "x-api-key": this.options.apiKey } : undefined,
    });
    return this.ws.subscribe(
      { query: print(ListeningEventUpdateDocument) },
      {
        next: (result) => (result.data?.listeningEventUpdate ? onEvent(result.data.listeningEventUpdate as LiveEvent) : onError(result.errors)),
        error: onError,
        complete: () => undefined,
      },
    );
  }

  /** Closes the WebSocket, if one was opened. */
  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }

  private headers(): Record<string, string> {
    return this.options.apiKey ? { "x-api-key": this.options.apiKey } : {};
  }
}

/** A WebSocket class whose upgrade requests carry `headers`. */
function withHeaders(headers: Record<string, string>): unknown {
  if (Object.keys(headers).length === 0) return WebSocket;
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };
}

function named(item: { name: string } | null | undefined): { name?: string } {
  return item ? { name: item.name } : {};
}

/** An unknown listener answers null with NOT_FOUND errors on the profile's own fields (their keys are
 *  the user id), as Quick's gateway does: that is no failure here. One deeper down (a chart item
 *  without a name, whose non-null field takes the profile with it) is. */
function nullWhenUnknown(error: { response?: { data?: UserProfileQuery; errors?: Array<{ path?: unknown[]; extensions?: { code?: string } }> } }): UserProfileQuery | undefined {
  const { response } = error;
  if (response?.data && response.errors?.every((e) => e.extensions?.code === "NOT_FOUND" && (e.path?.length ?? 0) <= 2)) return response.data;
  throw error;
}

