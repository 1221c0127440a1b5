// The evaluation's results as a markdown table.
import type { EvaluationResult } from "./evaluate.js";

export function resultsTable(evaluation: EvaluationResult): string {
  const k = evaluation.k;
  const header = `| recommender | HR@${k} | NDCG@${k} | recall@${k} | coverage | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|\n`;
  const rows = evaluation.results.map(
    (r) => `| ${r.name} (${r.description}) | ${r.hr.toFixed(3)} | ${r.ndcg.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.coverage.toFixed(3)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`,
  );
  return header + rows.join("\n") + "\n";
}

/** One line that says on what the table was measured. */
export function resultsCaption(evaluation: EvaluationResult, dataName: string): string {
  const { protocol, k, seed, users, items, pairs, testUsers } = evaluation;
  return `${dataName}: ${users} users, ${items} items, ${pairs} user-item pairs; ${protocol}, seed ${seed}, ${testUsers} test users, K ${k}, full ranking, the user's items excluded.`;
}
