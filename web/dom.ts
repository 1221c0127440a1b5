// Small DOM helpers: elements by id, elements built with text (never innerHTML: names come from data).

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const NUMBER = new Intl.NumberFormat("en");

export function formatCount(value: number): string {
  return NUMBER.format(value);
}

/** An epoch-ms time as a date and time in UTC (the same for every visitor and in tests). */
export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** "12 s ago", "5 min ago" within the hour, otherwise the date. */
export function formatAgo(epochMs: number, now = Date.now()): string {
  const seconds = Math.round((now - epochMs) / 1000);
  if (seconds < 0 || seconds >= 3600) return formatDate(epochMs);
  return seconds < 60 ? `${seconds} s ago` : `${Math.floor(seconds / 60)} min ago`;
}

export interface Bar {
  name: string;
  value: number;
  /** How the value reads, when not as a count. */
  label?: string;
}

/**
 * A horizontal bar chart as a table: each row the name, a bar and the number, so the numbers are
 * the chart's text alternative and nothing depends on colour. Empty: one row saying so.
 */
export function barTable(caption: string, heading: string, valueHeading: string, bars: Bar[]): HTMLTableElement {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((bar) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, bar.name),
      el(
        "td",
        { class: "bar-cell" },
        el("span", { class: "bar", style: `width:${((100 * bar.value) / max).toFixed(1)}%`, "aria-hidden": "true" }),
        el("span", { class: "bar-value" }, bar.label ?? formatCount(bar.value)),
      ),
    ),
  );
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: "2", class: "empty" }, "none yet")));
  return el(
    "table",
    { class: "bars" },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, heading), el("th", { scope: "col" }, valueHeading))),
    el("tbody", {}, ...rows),
  );
}

/** Calls `run` at most once per `ms`, the last call winning (for live updates at 100 plays/s). */
export function throttle(ms: number, run: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  };
}
