// "You": a fresh listener id; an artist, an album and a track picked from the catalogue by name
// (the catalogue names items but does not say which album a track is on, so a play names all three);
// each play goes through the sendListeningEvent mutation, and the visitor's profile and
// recommendations form below.
import { SearchItemsDocument, SendListeningEventDocument, type FieldType } from "../src/client/documents.js";
import type { Api } from "./api.js";
import { byId, el } from "./dom.js";

/** Ids far above the demo's and LFM-1b's users, so that a visitor starts with an empty profile. */
function freshId(): number {
  return 9_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
}

interface Picked {
  id: number;
  name: string;
}

class Picker {
  picked?: Picked;
  private timer?: ReturnType<typeof setTimeout>;
  private generation = 0;

  constructor(
    private readonly api: () => Api,
    private readonly field: FieldType,
    private readonly input: HTMLInputElement,
    private readonly results: HTMLElement,
    private readonly chosen: HTMLElement,
    private readonly onPick: () => void,
  ) {
    input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.search(), 250);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        this.results.querySelector<HTMLElement>("button")?.focus();
      }
    });
    // Up and down move between the results, as in a list box.
    results.addEventListener("keydown", (event) => {
      const buttons = [...this.results.querySelectorAll<HTMLElement>("button")];
      const at = buttons.indexOf(document.activeElement as HTMLElement);
      if (event.key === "ArrowDown" && at < buttons.length - 1) buttons[at + 1]!.focus();
      else if (event.key === "ArrowUp") (at > 0 ? buttons[at - 1]! : this.input).focus();
      else return;
      event.preventDefault();
    });
  }

  private async search(): Promise<void> {
    const text = this.input.value.trim();
    const generation = ++this.generation;
    if (text.length < 2) {
      this.results.replaceChildren();
      return;
    }
    try {
      const { searchItems } = await this.api().request(SearchItemsDocument, { field: this.field, text: text.slice(0, 100), limit: 8 });
      if (generation !== this.generation) return;
      this.results.replaceChildren(
        ...searchItems.map((item) => {
          const button = el("button", { type: "button", "data-id": String(item.id) }, item.name);
          button.addEventListener("click", () => this.pick(item));
          return el("li", {}, button);
        }),
      );
      if (searchItems.length === 0) this.results.replaceChildren(el("li", { class: "empty" }, `No ${this.field.toLowerCase()} named like “${text}”.`));
    } catch (error) {
      this.results.replaceChildren(el("li", { class: "error" }, (error as Error).message));
    }
  }

  private pick(item: Picked): void {
    this.picked = item;
    this.chosen.textContent = item.name;
    this.results.replaceChildren();
    this.input.value = "";
    this.onPick();
  }
}

export class YouView {
  userId: number;
  private readonly pickers: Record<FieldType, Picker>;

  constructor(
    private readonly api: () => Api,
    private readonly onPlayed: (userId: number) => void,
  ) {
    this.userId = Number(sessionStorage.getItem("profile-store.you")) || freshId();
    const picker = (field: FieldType, prefix: string) =>
      new Picker(api, field, byId<HTMLInputElement>(`${prefix}-search`), byId(`${prefix}-results`), byId(`${prefix}-chosen`), () => this.ready());
    this.pickers = { ARTIST: picker("ARTIST", "you-artist"), ALBUM: picker("ALBUM", "you-album"), TRACK: picker("TRACK", "you-track") };
    byId("you-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.play();
    });
    byId("you-new").addEventListener("click", () => {
      this.userId = freshId();
      this.showId();
      this.onPlayed(this.userId);
    });
    this.showId();
    this.ready();
  }

  private showId(): void {
    sessionStorage.setItem("profile-store.you", String(this.userId));
    byId("you-id").textContent = String(this.userId);
  }

  private ready(): void {
    byId<HTMLButtonElement>("you-play").disabled = !Object.values(this.pickers).every((p) => p.picked);
  }

  private async play(): Promise<void> {
    const [artist, album, track] = [this.pickers.ARTIST.picked, this.pickers.ALBUM.picked, this.pickers.TRACK.picked];
    if (!artist || !album || !track) return;
    const status = byId("you-status");
    const event = { userId: this.userId, artistId: artist.id, albumId: album.id, trackId: track.id, timestamp: Date.now() };
    try {
      await this.api().request(SendListeningEventDocument, { userId: this.userId, event });
      status.textContent = `Played “${track.name}” by ${artist.name}.`;
      this.onPlayed(this.userId);
    } catch (error) {
      status.textContent = `Not played: ${(error as Error).message}`;
    }
  }
}
