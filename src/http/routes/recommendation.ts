import type { App, ServiceContext } from "../context.js";
import { errorResponses } from "../errors.js";
import { LIMITS } from "../../validation.js";
import { checkWalkBudget, HTTP_LIMITS, recommendationQuery, recommendationsResponse, userFieldParams } from "../schemas.js";

/**
 * Quick's `@rest` backend (docs/rest.md#how-quicks-gateway-builds-the-url): the gateway appends userId and field as path segments.
 * The SDK resolves the request's parameters over its preset once; the walk budget is checked on what
 * it resolved. Walks run on the store's walker threads, so this thread stays free for HTTP work.
 */
export function recommendationRoute(app: App, { store }: ServiceContext): void {
  app.get(
    "/recommendation/:userId/:field",
    {
      schema: {
        tags: ["recommendations"],
        summary: "Recommendations for a listener",
        description:
          "SALSA random walks on the field's listening graph, as the seed's recommender runs them, or the exact three-step walk. " +
          "A preset (seed or quality) names a parameter set and explicit parameters override it; a request that names none gets the " +
          "service's default preset: seed (the seed's defaults) unless serve --default-preset names another. " +
          "Numbers may be written as Java prints them (100, 0.1, 1.0E-5), names in any case (QUALITY). " +
          `Bounds: limit <= ${HTTP_LIMITS.limit}, walks <= ${HTTP_LIMITS.walks}, walkLength <= ${HTTP_LIMITS.walkLength}, ` +
          `walks x walkLength <= ${HTTP_LIMITS.walkBudget}, neighbours <= ${HTTP_LIMITS.neighbours}, hubCap <= ${HTTP_LIMITS.hubCap}; with a ridge, neighbours <= ${LIMITS.ridgeNeighbours} and ` +
          `neighbours x hubCap <= ${LIMITS.ridgeEntries}. An unknown user gets an empty list.`,
        params: userFieldParams,
        querystring: recommendationQuery(store.options.defaultPreset),
        response: { 200: recommendationsResponse, ...errorResponses("invalid_parameter", "bad_request") },
      },
    },
    (request) => {
      const params = store.recommendParams(request.query);
      checkWalkBudget(params, request.query);
      return store.recommendAsync(request.params.userId, request.params.field, params);
    },
  );
}
