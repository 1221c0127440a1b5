// Reference of assembly/ridge.ts: the exact walk's last step weighted by a ridge regression of the
// user's row onto the kept co-listeners' rows, adding the same numbers in the same order.

/** One kept co-listener's gathered edges: distinct items in order of first sight, and their weights. */
export interface RidgeRow {
  items: number[];
  weights: number[];
}

/**
 * w = (X X^T + ridge I)^-1 X x_u over the rows X (in order) and the user's row `own` (item -> weight);
 * returns the scores sum_v w(v) X(v, j) of the items j not in `own`, in order of first sight.
 */
export function ridgeScores(rows: readonly RidgeRow[], own: ReadonlyMap<number, number>, ridge: number): Map<number, number> {
  const k = rows.length;
  // Entries by item: items in order of first sight over the rows, each item's (row, weight) by row.
  const byItem = new Map<number, Array<[number, number]>>();
  rows.forEach((row, s) =>
    row.items.forEach((item, b) => {
      let column = byItem.get(item);
      if (column === undefined) byItem.set(item, (column = []));
      column.push([s, row.weights[b]!]);
    }),
  );
  const gram = new Float64Array(k * k);
  const weights = new Float64Array(k);
  for (const [item, column] of byItem) {
    const x = own.get(item) ?? 0;
    for (let a = 0; a < column.length; a++) {
      const [sa, wa] = column[a]!;
      if (x > 0) weights[sa]! += wa * x;
      for (let b = 0; b <= a; b++) {
        const [sb, wb] = column[b]!;
        gram[sa * k + sb]! += wa * wb;
      }
    }
  }
  for (let s = 0; s < k; s++) gram[s * k + s]! += ridge;
  choleskySolve(gram, weights, k);

  const scores = new Map<number, number>();
  rows.forEach((row, s) =>
    row.items.forEach((item, b) => {
      if (!own.has(item)) scores.set(item, (scores.get(item) ?? 0) + weights[s]! * row.weights[b]!);
    }),
  );
  return scores;
}

/**
 * Solves A x = b for symmetric positive definite A (its lower triangle, row-major n x n, overwritten
 * by L); b becomes x. Every sum is `dot`'s, as the kernel adds it.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const d = Math.sqrt(dot(a, j * n, a, j * n, j, a[j * n + j]!));
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) a[i * n + j] = dot(a, i * n, a, j * n, j, a[i * n + j]!) / d;
  }
  for (let i = 0; i < n; i++) b[i] = dot(a, i * n, b, 0, i, b[i]!) / a[i * n + i]!;
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let c = i + 1; c < n; c++) sum -= a[c * n + i]! * b[c]!;
    b[i] = sum / a[i * n + i]!;
  }
}

/**
 * start - sum over c < count of x[xAt + c] y[yAt + c] in the kernel's four lanes: lane c % 4 takes
 * the product of c (lane 0 starts at `start`), then (lane0 + lane1) + (lane2 + lane3).
 */
function dot(x: Float64Array, xAt: number, y: Float64Array, yAt: number, count: number, start: number): number {
  const lanes = [start, 0, 0, 0];
  for (let c = 0; c < count; c++) lanes[c & 3]! -= x[xAt + c]! * y[yAt + c]!;
  return lanes[0]! + lanes[1]! + (lanes[2]! + lanes[3]!);
}
