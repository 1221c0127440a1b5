// Turns walk visits into ranked results: drop the items the query user already played, score each
// item by its visits (divided by its degree^penalty, so that popular items weigh less; penalty 0 is
// the seed's scoring), keep the `limit` best by score descending then external id ascending, and
// clear the visit counters.
import { Adjacency } from "./adjacency";
import { IdMap } from "./idmap";

/** Output row: external id as f64, score as f64. */
const ROW_BYTES: usize = 16;

export function rankVisits(
  users: Adjacency,
  items: Adjacency,
  popularityPenalty: f64,
  queryUser: u32,
  itemIds: IdMap,
  visits: usize,
  touched: usize,
  touchedCount: u32,
  limit: u32,
  output: usize,
): u32 {
  excludePlayed(users, queryUser, visits);
  let rows: u32 = 0;
  for (let t: u32 = 0; t < touchedCount; t++) {
    const item = load<u32>(touched + (<usize>t << 2));
    const counter = visits + (<usize>item << 2);
    const visited = load<u32>(counter);
    store<u32>(counter, 0);
    if (visited == 0) continue;
    const score = popularityPenalty == 0 ? <f64>visited : <f64>visited / Math.pow(<f64>items.degree(item), popularityPenalty);
    rows = insertRanked(output, rows, limit, <f64>itemIds.idAt(item), score);
  }
  return rows;
}

function excludePlayed(users: Adjacency, queryUser: u32, visits: usize): void {
  const degree = users.degree(queryUser);
  for (let position: u32 = 0; position < degree; position++) {
    store<u32>(visits + (<usize>users.edgeAt(queryUser, position) << 2), 0);
  }
}

@inline function ranksBefore(score: f64, id: f64, otherScore: f64, otherId: f64): bool {
  return score > otherScore || (score == otherScore && id < otherId);
}

/** Inserts (id, score) into the sorted rows if it makes the top `limit`; returns the new row count. */
export function insertRanked(output: usize, rows: u32, limit: u32, id: f64, score: f64): u32 {
  if (rows == limit) {
    const last = output + <usize>(rows - 1) * ROW_BYTES;
    if (!ranksBefore(score, id, load<f64>(last, 8), load<f64>(last))) return rows;
    rows--;
  }
  let position = rows;
  while (position > 0) {
    const previous = output + <usize>(position - 1) * ROW_BYTES;
    if (!ranksBefore(score, id, load<f64>(previous, 8), load<f64>(previous))) break;
    memory.copy(previous + ROW_BYTES, previous, ROW_BYTES);
    position--;
  }
  const row = output + <usize>position * ROW_BYTES;
  store<f64>(row, id);
  store<f64>(row, score, 8);
  return rows + 1;
}
