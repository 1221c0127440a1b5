import type { EventBatch, ListeningEvent } from "../types.js";
import { Mulberry32 } from "../engine/random.js";
import { allocateBatch } from "./batch.js";

/**
 * A seeded generator of LFM-1b-like listening data. Artists have Zipf(-Mandelbrot)
 * popularity and belong to genres; each user has a genre, a few favourite artists
 * replayed often and some exploration, so co-listening carries signal for
 * recommenders. Users' activity is lognormal (a few users make much of the
 * traffic). Each user has a clock that advances by a track length inside a
 * session and by a long break between sessions, so per-user timestamps increase.
 */

export interface GeneratorOptions {
  seed?: number;
  users?: number;
  artists?: number;
  /**
   * How many events the timestamps are spread over (default 1,000,000); past
   * that, clocks run beyond endTime and timestamps wrap round into the range.
   */
  events?: number;
  /** Epoch ms; default 2005-01-01, like LFM-1b. */
  startTime?: number;
  /** Epoch ms; default 2014-08-01, like LFM-1b. */
  endTime?: number;
  /** Whether timestamps (always in ms) are whole seconds, as in LFM-1b files (default "s"). */
  timestampResolution?: "s" | "ms";
}

export interface Catalogue {
  artists: Array<[id: number, name: string]>;
  albums: Array<[id: number, name: string, artistId: number]>;
  tracks: Array<[id: number, name: string, artistId: number]>;
}

/** Most users or artists; keeps even the track count below 2^30, the range of scattered ids. */
export const MAX_USERS_OR_ARTISTS = 2 ** 22;

export const GENERATOR_DEFAULTS = {
  seed: 1,
  users: 1000,
  artists: 5000,
  events: 1_000_000,
  startTime: Date.UTC(2005, 0, 1),
  endTime: Date.UTC(2014, 7, 1),
  timestampResolution: "s",
} as const satisfies Required<GeneratorOptions>;

const ZIPF_EXPONENT = 1.1;
const ZIPF_OFFSET = 10; // Zipf-Mandelbrot: a flatter head, as real charts have (top artist ~2% of plays, not ~16%)
const ACTIVITY_SIGMA = 1.8; // lognormal spread of per-user activity: top 1% of users make ~30% of plays
const MAX_ALBUMS_PER_ARTIST = 12;
const SESSION_CONTINUES = 0.9; // sessions last 10 plays on average
const TRACK_MS_MIN = 150_000;
const TRACK_MS_SPAN = 180_000;
const MIN_BREAK_MS = 30 * 60_000;
const EXPLORE_OWN_GENRE = 0.6;
/** Draws one event takes at most, and how many are made ahead at once. */
const MAX_DRAWS = 8;
const DRAWS_AHEAD = 4096;

export function createGenerator(options: GeneratorOptions = {}): LfmGenerator {
  return new LfmGenerator({ ...GENERATOR_DEFAULTS, ...definedOnly(options) });
}

/**
 * Items by popularity rank, each kind's children contiguous: artist `a` has albums
 * artistFirstAlbum[a] up to artistFirstAlbum[a + 1], and albums have tracks alike.
 */
interface Items {
  artistIds: Int32Array;
  artistFirstAlbum: Int32Array;
  albumIds: Int32Array;
  albumFirstTrack: Int32Array;
  trackIds: Int32Array;
  popularity: AliasTable;
  genres: Genre[];
}

/** Artist `a` is in genre `a % genres.length`, so every genre has a popular head. */
interface Genre {
  artists: Int32Array;
  popularity: AliasTable;
}

/** Per user: activity, taste (genre, favourites and how often they return to them) and clock. */
interface Listeners {
  userIds: Int32Array;
  activity: AliasTable;
  genre: Int32Array;
  loyalty: Float64Array;
  favouriteStart: Int32Array;
  favourites: Int32Array;
  clock: Float64Array;
  meanBreak: Float64Array;
}

export class LfmGenerator {
  private readonly items: Items;
  private readonly listeners: Listeners;
  /** The events' draws (the catalogue's and listeners' come from another stream), made ahead in bulk
   *  and taken in order from `drawn` on: reads of a typed array, so that emit boxes none of them
   *  (calls that V8 did not inline returned each as a new heap number). */
  private readonly drawSource: Mulberry32;
  private readonly draws = new Float64Array(DRAWS_AHEAD);
  private drawn = DRAWS_AHEAD;
  private catalogueRows?: Catalogue;

  constructor(private readonly options: Required<GeneratorOptions>) {
    validate(options);
    const catalogueDraws = new Mulberry32(mix(options.seed, 1));
    const random = () => catalogueDraws.uniform();
    this.items = buildItems(options, random);
    this.listeners = buildListeners(options, this.items, random);
    this.drawSource = new Mulberry32(mix(options.seed, 6));
  }

  /** Names and relations of every item; built on first use. */
  get catalogue(): Catalogue {
    this.catalogueRows ??= {
      artists: [...this.catalogueOf("artists")] as Catalogue["artists"],
      albums: [...this.catalogueOf("albums")] as Catalogue["albums"],
      tracks: [...this.catalogueOf("tracks")] as Catalogue["tracks"],
    };
    return this.catalogueRows;
  }

  /** How many artists, albums and tracks the catalogue has. */
  get catalogueSizes(): Record<keyof Catalogue, number> {
    const { artistIds, albumIds, trackIds } = this.items;
    return { artists: artistIds.length, albums: albumIds.length, tracks: trackIds.length };
  }

  /** One kind's rows of the catalogue, in its order, made one at a time: a writer of millions of
   *  names holds none of them (the whole catalogue would take gigabytes). */
  *catalogueOf<K extends keyof Catalogue>(kind: K): Generator<Catalogue[K][number]> {
    const { seed } = this.options;
    const { artistIds, artistFirstAlbum, albumIds, albumFirstTrack, trackIds } = this.items;
    for (let artist = 0; artist < artistIds.length; artist++) {
      const artistId = artistIds[artist];
      if (kind === "artists") {
        yield [artistId, artistName(mix(seed, artistId))] as Catalogue[K][number];
        continue;
      }
      for (let album = artistFirstAlbum[artist]; album < artistFirstAlbum[artist + 1]; album++) {
        const albumId = albumIds[album];
        if (kind === "albums") {
          yield [albumId, albumName(mix(seed, albumId)), artistId] as Catalogue[K][number];
          continue;
        }
        for (let track = albumFirstTrack[album]; track < albumFirstTrack[album + 1]; track++) {
          const trackId = trackIds[track];
          yield [trackId, trackName(mix(seed, trackId)), artistId] as Catalogue[K][number];
        }
      }
    }
  }

  /** Fresh batches (never reused) of `batchSize` events, the last one possibly shorter. */
  *eventBatches(totalEvents: number = this.options.events, batchSize = 65536): Generator<EventBatch> {
    checkCount("totalEvents", totalEvents, 0);
    checkCount("batchSize", batchSize, 1);
    for (let done = 0; done < totalEvents; ) {
      const batch = this.fill(allocateBatch(Math.min(batchSize, totalEvents - done)));
      done += batch.userId.length;
      yield batch;
    }
  }

  /** Overwrites every row of `batch` with the stream's next events and returns it, for a caller that
   *  reuses one batch (the engine bench, so that it needs no GC between its ingest calls). */
  fill(batch: EventBatch): EventBatch {
    const rows = batch.userId.length;
    for (let row = 0; row < rows; row++) this.emit(batch, row);
    return batch;
  }

  /** The next `n` events of the same stream, as objects (for a live feed). */
  nextEvents(n: number): ListeningEvent[] {
    checkCount("n", n, 0);
    const batch = allocateBatch(n);
    const events: ListeningEvent[] = [];
    for (let row = 0; row < n; row++) {
      this.emit(batch, row);
      events.push({
        userId: batch.userId[row],
        artistId: batch.artistId[row],
        albumId: batch.albumId[row],
        trackId: batch.trackId[row],
        timestamp: batch.timestamp[row],
      });
    }
    return events;
  }

  /** Writes one event into `batch` at `row`: seven or eight random draws. */
  private emit(batch: EventBatch, row: number): void {
    if (this.drawn > DRAWS_AHEAD - MAX_DRAWS) this.drawAhead();
    const { items, listeners, draws } = this;
    let d = this.drawn;
    const user = listeners.activity.sample(draws[d++]);
    const gap =
      draws[d++] < SESSION_CONTINUES
        ? TRACK_MS_MIN + draws[d++] * TRACK_MS_SPAN
        : MIN_BREAK_MS - Math.log(1 - draws[d++]) * listeners.meanBreak[user];
    const time = (listeners.clock[user] += gap);
    const artist =
      draws[d++] < listeners.loyalty[user]
        ? favourite(listeners, user, draws[d++])
        : explore(items, listeners.genre[user], draws[d++], draws[d++]);
    const album = pickSkewed(items.artistFirstAlbum, artist, draws[d++]);
    const track = pickSkewed(items.albumFirstTrack, album, draws[d++]);
    this.drawn = d;
    batch.userId[row] = listeners.userIds[user];
    batch.artistId[row] = items.artistIds[artist];
    batch.albumId[row] = items.albumIds[album];
    batch.trackId[row] = items.trackIds[track];
    batch.timestamp[row] = this.toTimestamp(time);
  }

  /** Keeps the draws not taken yet and makes the rest anew. */
  private drawAhead(): void {
    const kept = DRAWS_AHEAD - this.drawn;
    this.draws.copyWithin(0, this.drawn);
    for (let i = kept; i < DRAWS_AHEAD; i++) this.draws[i] = this.drawSource.uniform();
    this.drawn = 0;
  }

  private toTimestamp(time: number): number {
    const { startTime, endTime, timestampResolution } = this.options;
    const inRange = time < endTime ? time : startTime + ((time - startTime) % (endTime - startTime));
    return timestampResolution === "s" ? Math.floor(inRange / 1000) * 1000 : Math.floor(inRange);
  }
}

function buildItems({ seed, artists }: Required<GeneratorOptions>, random: () => number): Items {
  const artistFirstAlbum = prefixSums(artists, () => albumsOfArtist(random));
  const albumCount = artistFirstAlbum[artists];
  const albumFirstTrack = prefixSums(albumCount, () => 5 + Math.floor(random() * 11));
  const weights = Float64Array.from({ length: artists }, (_, rank) => (rank + ZIPF_OFFSET) ** -ZIPF_EXPONENT);
  return {
    artistIds: scatteredIds(artists, mix(seed, 2)),
    artistFirstAlbum,
    albumIds: scatteredIds(albumCount, mix(seed, 3)),
    albumFirstTrack,
    trackIds: scatteredIds(albumFirstTrack[albumCount], mix(seed, 4)),
    popularity: new AliasTable(weights),
    genres: groupByGenre(weights, Math.max(1, Math.round(Math.sqrt(artists) / 4))),
  };
}

function buildListeners(options: Required<GeneratorOptions>, items: Items, random: () => number): Listeners {
  const { users, seed } = options;
  const activity = Float64Array.from({ length: users }, () => Math.exp(ACTIVITY_SIGMA * normal(random)));
  const genre = new Int32Array(users);
  const loyalty = new Float64Array(users);
  const favouriteStart = new Int32Array(users + 1);
  let favourites = new Int32Array(8 * users);
  for (let user = 0; user < users; user++) {
    genre[user] = items.popularity.sample(random()) % items.genres.length; // popular genres get more fans
    loyalty[user] = 0.5 + 0.4 * random();
    const count = 3 + Math.floor(-Math.log(1 - random()) * 3);
    const start = favouriteStart[user];
    if (start + count > favourites.length) {
      const grown = new Int32Array(2 * (start + count));
      grown.set(favourites);
      favourites = grown;
    }
    for (let i = 0; i < count; i++) favourites[start + i] = explore(items, genre[user], random(), random());
    favouriteStart[user + 1] = start + count;
  }
  return {
    userIds: scatteredIds(users, mix(seed, 5)),
    activity: new AliasTable(activity),
    genre,
    loyalty,
    favouriteStart,
    favourites: favourites.slice(0, favouriteStart[users]),
    ...userClocks(options, activity, random),
  };
}

/** Favourites listed first are played more. */
function favourite(listeners: Listeners, user: number, u: number): number {
  const start = listeners.favouriteStart[user];
  const count = listeners.favouriteStart[user + 1] - start;
  return listeners.favourites[start + Math.floor(u * u * count)];
}

/** A popular artist of the given genre, or of any genre. */
function explore(items: Items, genre: number, u: number, pick: number): number {
  if (u >= EXPLORE_OWN_GENRE) return items.popularity.sample(pick);
  const { artists, popularity } = items.genres[genre];
  return artists[popularity.sample(pick)];
}

function definedOnly(options: GeneratorOptions): GeneratorOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}

function validate(options: Required<GeneratorOptions>): void {
  for (const key of ["users", "artists"] as const) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX_USERS_OR_ARTISTS) {
      throw new RangeError(`${key} must be an integer from 1 to ${MAX_USERS_OR_ARTISTS}, got ${value}`);
    }
  }
  if (!Number.isSafeInteger(options.events) || options.events < 1) {
    throw new RangeError(`events must be a positive integer, got ${options.events}`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
  if (!(options.startTime < options.endTime)) {
    throw new RangeError(`startTime (${options.startTime}) must be before endTime (${options.endTime})`);
  }
}

/** Hashes a seed and a salt into 32 bits (murmur3 finaliser). */
function mix(seed: number, salt: number): number {
  let h = Math.imul((seed | 0) ^ Math.imul(salt, 0x9e3779b9), 0x85ebca6b) ^ Math.floor(seed / 2 ** 32);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * `count` distinct positive ids scattered over a range 8-16 times larger, by a
 * keyed bijection on `bits`-bit integers (odd multiplies and xor-shifts), so ids
 * look like LFM-1b's: sparse, unordered, never colliding.
 */
function scatteredIds(count: number, key: number): Int32Array {
  const bits = Math.min(30, Math.ceil(Math.log2(count + 1)) + 3);
  const mask = 2 ** bits - 1;
  const shift = Math.ceil(bits / 2);
  const ids = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let x = (i ^ key) & mask;
    x = Math.imul(x, 0x2c1b3c6d | 1) & mask;
    x ^= x >>> shift;
    x = Math.imul(x, (key | 1) ^ 0x297a2d38) & mask;
    x ^= x >>> shift;
    ids[i] = x + 1;
  }
  return ids;
}

/** Offsets of consecutive groups: result[i] is where group i starts, result[count] the total. */
function prefixSums(count: number, sizeOf: () => number): Int32Array {
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) starts[i + 1] = starts[i] + sizeOf();
  return starts;
}

function albumsOfArtist(random: () => number): number {
  let albums = 1;
  while (albums < MAX_ALBUMS_PER_ARTIST && random() < 0.55) albums++;
  return albums;
}

/** An index in group `group` of `starts`, skewed towards its first members. */
function pickSkewed(starts: Int32Array, group: number, u: number): number {
  const first = starts[group];
  return first + Math.floor(u * u * (starts[group + 1] - first));
}

function groupByGenre(weights: Float64Array, genreCount: number): Genre[] {
  return Array.from({ length: genreCount }, (_, genre) => {
    const size = Math.ceil((weights.length - genre) / genreCount);
    const artists = Int32Array.from({ length: size }, (_, i) => genre + i * genreCount);
    return { artists, popularity: new AliasTable(Float64Array.from(artists, (a) => weights[a])) };
  });
}

/**
 * Each user's starting clock and mean session break. A user is picked with
 * probability proportional to activity and their gaps shrink in proportion, so
 * all clocks advance alike and cover about the range after `events` events.
 */
function userClocks(
  { startTime, endTime, events }: Required<GeneratorOptions>,
  activity: Float64Array,
  random: () => number,
): Pick<Listeners, "clock" | "meanBreak"> {
  const range = endTime - startTime;
  const total = activity.reduce((sum, a) => sum + a, 0);
  const msPerEvent = (0.75 * range) / events; // starts spread over the first quarter
  const clock = Float64Array.from(activity, () => startTime + random() * 0.25 * range);
  const inSession = SESSION_CONTINUES * (TRACK_MS_MIN + TRACK_MS_SPAN / 2);
  const meanBreak = Float64Array.from(activity, (a) => {
    const meanGap = (msPerEvent * total) / a;
    return Math.max(0, (meanGap - inSession) / (1 - SESSION_CONTINUES) - MIN_BREAK_MS);
  });
  return { clock, meanBreak };
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Walker's alias method: O(1) weighted sampling from one uniform. */
class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i];
    this.probability = Float64Array.from({ length: n }, (_, i) => (weights[i] * n) / sum);
    this.alias = Int32Array.from({ length: n }, (_, i) => i);
    // Two stacks in one array, small from the front and large from the back, for the indices whose
    // probability is below 1 and at least 1.
    const stacks = new Int32Array(n);
    let small = 0;
    let large = n;
    for (let i = 0; i < n; i++) {
      if (this.probability[i] < 1) stacks[small++] = i;
      else stacks[--large] = i;
    }
    while (small > 0 && large < n) {
      const s = stacks[--small];
      const l = stacks[large];
      this.alias[s] = l;
      this.probability[l] = this.probability[l] + this.probability[s] - 1;
      if (this.probability[l] < 1) stacks[small++] = stacks[large++];
    }
    for (let i = 0; i < small; i++) this.probability[stacks[i]] = 1; // rounding leftovers
    for (let i = large; i < n; i++) this.probability[stacks[i]] = 1;
  }

  sample(u: number): number {
    const x = u * this.probability.length;
    const i = x | 0;
    return x - i < this.probability[i] ? i : this.alias[i];
  }
}

const SYLLABLES = [
  "ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "da", "ren", "mor", "el", "an", "sha", "tor", "li",
  "ba", "ky", "zo", "fen", "gar", "is", "ul", "per", "qua", "dro", "vel", "nix", "ju", "ost", "em", "ria",
];

/** A capitalised word of 2-3 syllables read from the bits of `h`. */
function word(h: number): string {
  const text = SYLLABLES[h & 31] + SYLLABLES[(h >>> 5) & 31] + ((h >>> 10) & 1 ? SYLLABLES[(h >>> 11) & 31] : "");
  return text[0].toUpperCase() + text.slice(1);
}

function artistName(h: number): string {
  const name = word(h);
  switch ((h >>> 16) & 3) {
    case 0:
      return `The ${name}s`;
    case 1:
      return `${name} ${word(h >>> 15)}`;
    default:
      return name;
  }
}

function albumName(h: number): string {
  return (h >>> 16) & 1 ? `${word(h)} ${word(h >>> 14)}` : word(h);
}

/** Some titles carry quotes, like LFM-1b's `7" Version`, so writers and readers meet quoting. */
function trackName(h: number): string {
  const title = `${word(h)} ${word(h >>> 13).toLowerCase()}`;
  return (h >>> 26) === 0 ? `${title} (7" Version)` : title;
}
