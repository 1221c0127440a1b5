// The most recently active listeners: the initial list from the listeners query, then live from the
// listeningEventUpdate subscription (each one's current track and when it was last active).
import { ListenersDocument } from "../src/client/documents.js";
import { missingField, type Api, type LiveEvent } from "./api.js";
import { el, formatAgo, formatCount, throttle } from "./dom.js";

const SHOWN = 20;

interface Row {
  userId: number;
  plays?: number;
  track?: string;
  lastActive: number;
}

export class ListenersView {
  private readonly rows = new Map<number, Row>();
  selected?: number;
  private readonly render = throttle(500, () => this.draw());

  constructor(
    private readonly api: () => Api,
    private readonly list: HTMLElement,
    private readonly onSelect: (userId: number) => void,
  ) {
    // "last active" keeps counting while nothing arrives.
    setInterval(() => this.render(), 5000);
  }

  async load(): Promise<void> {
    try {
      const data = await this.api().request(ListenersDocument, { limit: SHOWN, order: "RECENT" });
      for (const listener of data.listeners) {
        const row = this.rows.get(listener.userId);
        this.rows.set(listener.userId, { ...row, userId: listener.userId, plays: listener.totalListenCount, lastActive: Math.max(row?.lastActive ?? 0, listener.lastListenEvent) });
      }
    } catch (error) {
      if (!missingField(error)) throw error;
      // A gateway without profile-store's listeners query: the live plays fill the list.
    }
    this.draw();
  }

  heard(event: LiveEvent): void {
    const row = this.rows.get(event.userId);
    this.rows.set(event.userId, {
      userId: event.userId,
      plays: row?.plays === undefined ? undefined : row.plays + 1,
      track: event.track?.name ?? `track #${event.trackId}`,
      lastActive: Math.max(row?.lastActive ?? 0, event.timestamp),
    });
    this.render();
  }

  /** The most recently active listener shown. */
  first(): number | undefined {
    let best: Row | undefined;
    for (const row of this.rows.values()) if (!best || row.lastActive > best.lastActive || (row.lastActive === best.lastActive && row.userId < best.userId)) best = row;
    return best?.userId;
  }

  clear(): void {
    this.rows.clear();
    this.draw();
  }

  private draw(): void {
    const rows = [...this.rows.values()].sort((a, b) => b.lastActive - a.lastActive || a.userId - b.userId);
    for (const old of rows.slice(SHOWN * 5)) this.rows.delete(old.userId);
    const now = Date.now();
    // Redrawing must not take the keyboard focus away from the listener it was on.
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.user;
    this.list.replaceChildren(
      ...rows.slice(0, SHOWN).map((row) => {
        const button = el(
          "button",
          { type: "button", class: "listener", "data-user": String(row.userId), "aria-pressed": String(row.userId === this.selected) },
          el("span", { class: "listener-id" }, `Listener ${row.userId}`),
          el("span", { class: "listener-track" }, row.track ? `♪ ${row.track}` : "\u00a0"),
          el("span", { class: "listener-meta" }, `${formatAgo(row.lastActive, now)}${row.plays === undefined ? "" : ` · ${formatCount(row.plays)} plays`}`),
        );
        button.addEventListener("click", () => this.onSelect(row.userId));
        return el("li", {}, button);
      }),
    );
    if (rows.length === 0) this.list.replaceChildren(el("li", { class: "empty" }, "No listeners yet."));
    if (focused) this.list.querySelector<HTMLElement>(`[data-user="${focused}"]`)?.focus();
  }
}
