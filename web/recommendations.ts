// SALSA recommendations for a listener, with names: the field and the walk parameters come from the
// form inside `root` (controls named field, walks, walkLength, resetProbability; absent ones take
// the service's defaults). Through profile-store's getRecommendations, or the seed's
// getArtistRecommendations on a gateway that lacks it.
import { ArtistRecommendationsDocument, RecommendationsDocument, type FieldType } from "../src/client/documents.js";
import { missingField, type Api } from "./api.js";
import { barTable, el, throttle } from "./dom.js";

const FIELD_NAMES: Record<FieldType, string> = { ARTIST: "Artist", ALBUM: "Album", TRACK: "Track" };

export class RecommendationsView {
  userId?: number;
  private seedSchemaOnly = false;
  /** New plays of the listener: refresh, at most every 3 s (walks cost the service more than reads). */
  readonly changed = throttle(3000, () => void this.load());

  constructor(
    private readonly api: () => Api,
    private readonly form: HTMLFormElement,
    private readonly output: HTMLElement,
  ) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.load();
    });
    form.querySelector("[name=field]")?.addEventListener("change", () => void this.load());
  }

  show(userId: number): Promise<void> {
    this.userId = userId;
    return this.load();
  }

  async load(): Promise<void> {
    const userId = this.userId;
    if (userId === undefined || !this.form.reportValidity()) return;
    const field = (this.value("field") ?? "ARTIST") as FieldType;
    const walk = { walks: this.number("walks"), walkLength: this.number("walkLength"), resetProbability: this.number("resetProbability") };
    this.output.setAttribute("aria-busy", "true");
    try {
      const rows = await this.fetch(userId, field, walk);
      if (userId !== this.userId) return;
      const bars = rows.map((r) => ({ name: r.name ?? `#${r.id}`, value: r.score ?? 0, label: r.score == null ? "" : r.score.toFixed(0) }));
      this.output.replaceChildren(barTable(`${FIELD_NAMES[field]} recommendations for ${userId}`, FIELD_NAMES[field], "Visits", bars));
    } catch (error) {
      if (userId === this.userId) this.output.replaceChildren(el("p", { class: "error" }, `Recommendations: ${(error as Error).message}`));
    } finally {
      this.output.removeAttribute("aria-busy");
    }
  }

  private async fetch(userId: number, field: FieldType, walk: { walks?: number; walkLength?: number; resetProbability?: number }) {
    if (!this.seedSchemaOnly) {
      try {
        const data = await this.api().request(RecommendationsDocument, { userId, field, ...walk });
        return (data.getRecommendations?.recommendations ?? []).map((r) => ({ id: r.id, score: r.score, name: r.item?.name }));
      } catch (error) {
        if (!missingField(error)) throw error;
        this.seedSchemaOnly = true;
      }
    }
    const data = await this.api().request(ArtistRecommendationsDocument, { userId, field, ...walk });
    // The seed names every recommendation from the artists' catalogue; only ARTIST names are right.
    return (data.getArtistRecommendations?.recommendations ?? []).map((r) => ({ id: r.id, score: null, name: field === "ARTIST" ? r.artist?.name : undefined }));
  }

  private value(name: string): string | undefined {
    const control = this.form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    return control?.value || undefined;
  }

  private number(name: string): number | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : Number(value);
  }
}
