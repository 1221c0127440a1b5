import type { App, ServiceContext } from "../context.js";
import { ServiceError, errorResponses } from "../errors.js";
import { chartQuery, chartResponse, userFieldParams } from "../schemas.js";

export function chartsRoute(app: App, { store }: ServiceContext): void {
  app.get(
    "/charts/:userId/:field",
    {
      schema: {
        tags: ["profiles"],
        summary: "A listener's top-k artists, albums or tracks",
        params: userFieldParams,
        querystring: chartQuery(store.options.chartSize),
        response: { 200: chartResponse, ...errorResponses("invalid_parameter", "bad_request", "user_not_found") },
      },
    },
    (request) => {
      const { userId, field } = request.params;
      if (store.profile(userId) === undefined) throw new ServiceError("user_not_found", `no events of user ${userId} have been seen`);
      return store.charts(userId, field, request.query.k);
    },
  );
}
