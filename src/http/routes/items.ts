import type { App, ServiceContext } from "../context.js";
import { ServiceError, errorResponses } from "../errors.js";
import { itemParams, itemResponse, noQuery } from "../schemas.js";

export function itemsRoute(app: App, { store }: ServiceContext): void {
  app.get(
    "/items/:field/:id",
    {
      schema: {
        tags: ["items"],
        summary: "The display name of an artist, album or track",
        params: itemParams,
        querystring: noQuery,
        response: { 200: itemResponse, ...errorResponses("invalid_parameter", "bad_request", "item_not_found") },
      },
    },
    (request) => {
      const { field, id } = request.params;
      const name = store.name(field, id);
      if (name === undefined) throw new ServiceError("item_not_found", `no name is known for ${field} ${id}`);
      return { field, id, name };
    },
  );
}
