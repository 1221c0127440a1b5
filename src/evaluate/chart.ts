// HR@K against p99 latency as a small SVG scatter chart, one labelled point per configuration.
import type { EvaluationResult } from "./evaluate.js";

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 60, right: 150, top: 20, bottom: 50 };

export function hrLatencyChart(evaluation: EvaluationResult): string {
  const { results, k } = evaluation;
  const maxLatency = niceCeiling(Math.max(...results.map((r) => r.p99Ms), 0.001));
  const maxHr = niceCeiling(Math.max(...results.map((r) => r.hr), 0.001));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + (ms / maxLatency) * plotWidth;
  const y = (hr: number) => MARGIN.top + plotHeight - (hr / maxHr) * plotHeight;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${x(maxLatency)}" y2="${y(0)}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left}" y2="${y(maxHr)}" stroke="black"/>`,
    ...ticks.map((t) => `<text x="${x(t * maxLatency)}" y="${y(0) + 16}" text-anchor="middle">${round(t * maxLatency)}</text>`),
    ...ticks.map((t) => `<text x="${MARGIN.left - 6}" y="${y(t * maxHr) + 4}" text-anchor="end">${round(t * maxHr)}</text>`),
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">p99 latency per request (ms)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">HR@${k}</text>`,
    ...results.map((r) => `<circle cx="${x(r.p99Ms).toFixed(1)}" cy="${y(r.hr).toFixed(1)}" r="4" fill="steelblue"/>`),
    ...labels(results.map((r) => ({ text: r.name, x: x(r.p99Ms) + 7, y: y(r.hr) + 4 }))),
    "</svg>",
  ];
  return lines.join("\n") + "\n";
}

/** Point labels, each moved down below any earlier one it would overlap (names of about 7 px a letter). */
function labels(wanted: Array<{ text: string; x: number; y: number }>): string[] {
  const placed: Array<{ x: number; y: number; width: number }> = [];
  return wanted.map(({ text, x, y }) => {
    const width = 7 * text.length;
    while (placed.some((p) => Math.abs(p.y - y) < 14 && x < p.x + p.width && p.x < x + width)) y += 14;
    placed.push({ x, y, width });
    return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}">${text}</text>`;
  });
}

/** The axis end: 1, 2 or 5 times a power of ten, at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((end) => end >= value)!;
}

function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}
