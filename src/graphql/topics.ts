// The topics a schema's @topic directives may name, and what each holds: Quick's gateway reads them
// from Kafka-backed stores; here each is read from the engine, keyed as the seed's topics are
// (DESIGN: output topics counts, firstlisten, lastlisten, topartists, topalbums, toptracks keyed by
// user id; artists, albums, tracks keyed by item id). listeningevents is written (mutation) and
// streamed (subscription), never read by key.
import type { ProfileStore } from "../profile-store.js";
import type { Field } from "../types.js";

export const TOPIC_ROLES = [
  "counts",
  "firstlisten",
  "lastlisten",
  "topartists",
  "topalbums",
  "toptracks",
  "artists",
  "albums",
  "tracks",
  "listeningevents",
] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];
/** The name each topic has in the schema's directives; by default its role. */
export type TopicNames = Record<TopicRole, string>;

export const EVENTS_ROLE = "listeningevents";

/** The topic names with those given in place of the defaults. */
export function topicNames(given: Partial<TopicNames> = {}): TopicNames {
  return Object.fromEntries(TOPIC_ROLES.map((role) => [role, given[role] ?? role])) as TopicNames;
}

const CHART_FIELD = { topartists: "ARTIST", topalbums: "ALBUM", toptracks: "TRACK" } as const satisfies Partial<Record<TopicRole, Field>>;
const NAME_FIELD = { artists: "ARTIST", albums: "ALBUM", tracks: "TRACK" } as const satisfies Partial<Record<TopicRole, Field>>;

/** Reads the value stored under `key` in a keyed topic; undefined when there is none. */
export type TopicRead = (key: number) => unknown;

export function topicReader(store: ProfileStore, role: Exclude<TopicRole, typeof EVENTS_ROLE>): TopicRead {
  switch (role) {
    case "counts":
      return (key) => store.profile(key)?.totalListenCount;
    case "firstlisten":
      return (key) => store.profile(key)?.firstListenEvent;
    case "lastlisten":
      return (key) => store.profile(key)?.lastListenEvent;
    case "topartists":
    case "topalbums":
    case "toptracks": {
      const field = CHART_FIELD[role];
      return (key) => (store.profile(key) === undefined ? undefined : store.charts(key, field));
    }
    case "artists":
    case "albums":
    case "tracks": {
      const field = NAME_FIELD[role];
      return (key) => {
        const name = store.name(field, key);
        return name === undefined ? undefined : { id: key, name };
      };
    }
  }
}
