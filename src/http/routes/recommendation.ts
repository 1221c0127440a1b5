import type { App, ServiceContext } from "../context.js";
import { errorResponses } from "../errors.js";
import { HTTP_LIMITS, recommendationQuery, recommendationsResponse, userFieldParams } from "../schemas.js";

/**
 * Quick's `@rest` backend (docs/rest.md#how-quicks-gateway-builds-the-url): the gateway appends userId and field as path segments.
 * Walks run on the store's walker threads, so this thread stays free for HTTP work.
 */
export function recommendationRoute(app: App, { store }: ServiceContext): void {
  app.get(
    "/recommendation/:userId/:field",
    {
      schema: {
        tags: ["recommendations"],
        summary: "SALSA recommendations for a listener",
        description:
          "Random walks on the field's listening graph, as the seed's recommender runs them. " +
          "Numbers may be written as Java prints them (100, 0.1, 1.0E-5). " +
          `Bounds: limit <= ${HTTP_LIMITS.limit}, walks <= ${HTTP_LIMITS.walks}, walkLength <= ${HTTP_LIMITS.walkLength}, ` +
          `walks x walkLength <= ${HTTP_LIMITS.walkBudget}. An unknown user gets an empty list.`,
        params: userFieldParams,
        querystring: recommendationQuery,
        response: { 200: recommendationsResponse, ...errorResponses("invalid_parameter", "bad_request") },
      },
    },
    (request) => store.recommendAsync(request.params.userId, request.params.field, request.query),
  );
}
