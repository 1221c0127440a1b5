import type { App, ServiceContext } from "../context.js";
import { ServiceError, errorResponses } from "../errors.js";
import { noQuery, profileResponse, userParams } from "../schemas.js";

export function profilesRoute(app: App, { store }: ServiceContext): void {
  app.get(
    "/profiles/:userId",
    {
      schema: {
        tags: ["profiles"],
        summary: "A listener's metrics and charts, with item names",
        params: userParams,
        querystring: noQuery,
        response: { 200: profileResponse, ...errorResponses("invalid_parameter", "bad_request", "user_not_found") },
      },
    },
    (request) => {
      const { userId } = request.params;
      const profile = store.profile(userId);
      if (profile === undefined) throw new ServiceError("user_not_found", `no events of user ${userId} have been seen`);
      return {
        ...profile,
        artistCharts: store.charts(userId, "ARTIST"),
        albumCharts: store.charts(userId, "ALBUM"),
        trackCharts: store.charts(userId, "TRACK"),
      };
    },
  );
}
