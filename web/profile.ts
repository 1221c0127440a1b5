// A listener's profile: total plays, first and last listen, and the three charts as bars with names
// and play counts. Reloaded (throttled) while the listener's plays arrive.
import { UserProfileDocument, type UserProfileQuery } from "../src/client/documents.js";
import type { Api } from "./api.js";
import { barTable, el, formatCount, formatDate, throttle } from "./dom.js";

type Profile = NonNullable<UserProfileQuery["getUserProfile"]>;

export class ProfileView {
  userId?: number;
  /** Plays of the listener not yet shown: reload soon. */
  readonly changed = throttle(200, () => void this.load());

  constructor(
    private readonly api: () => Api,
    private readonly root: HTMLElement,
    private readonly onLoaded: (profile: Profile | null) => void = () => undefined,
  ) {}

  show(userId: number): Promise<void> {
    this.userId = userId;
    return this.load();
  }

  async load(): Promise<void> {
    const userId = this.userId;
    if (userId === undefined) return;
    this.root.setAttribute("aria-busy", "true");
    try {
      const data = await this.api().request(UserProfileDocument, { userId }).catch((error) => {
        // An unknown listener is null with a NOT_FOUND error on its count, as Quick's gateway answers.
        if (/no value under key \d+ in topic counts/.test(String(error?.message))) return { getUserProfile: null };
        throw error;
      });
      if (userId !== this.userId) return;
      this.render(userId, data.getUserProfile ?? null);
      this.onLoaded(data.getUserProfile ?? null);
    } catch (error) {
      if (userId === this.userId) this.root.replaceChildren(el("p", { class: "error" }, `Profile of ${userId}: ${(error as Error).message}`));
    } finally {
      this.root.removeAttribute("aria-busy");
    }
  }

  private render(userId: number, profile: Profile | null): void {
    if (!profile) {
      this.root.replaceChildren(el("p", { class: "empty" }, `No plays of listener ${userId} yet.`));
      return;
    }
    const fact = (term: string, value: string, name: string) => [el("dt", {}, term), el("dd", { "data-fact": name }, value)];
    this.root.replaceChildren(
      el(
        "dl",
        { class: "facts" },
        ...fact("Total plays", formatCount(profile.totalListenCount), "total"),
        ...fact("First listen", formatDate(profile.firstListenEvent), "first"),
        ...fact("Last listen", formatDate(profile.lastListenEvent), "last"),
      ),
      el(
        "div",
        { class: "charts" },
        barTable(`Top artists of ${userId}`, "Artist", "Plays", profile.artistCharts.topK.map((e) => ({ name: e.artist.name, value: e.countPlays }))),
        barTable(`Top albums of ${userId}`, "Album", "Plays", profile.albumCharts.topK.map((e) => ({ name: e.album.name, value: e.countPlays }))),
        barTable(`Top tracks of ${userId}`, "Track", "Plays", profile.trackCharts.topK.map((e) => ({ name: e.track.name, value: e.countPlays }))),
      ),
    );
  }
}
