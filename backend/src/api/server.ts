import type { Context } from "../context";
import { type App, type ApiContext, buildApp } from "./app";

/**
 * Builds the app, listens on `config.api`, and registers the close in the `api` shutdown phase (first: stop
 * accepting, let in-flight requests finish, then services and the database go).
 */
export async function startApi(
  ctx: Context & Pick<ApiContext, "api" | "deposits" | "webhooks" | "client" | "web">,
): Promise<{ app: App; address: string }> {
  const app = await buildApp(ctx);
  const address = await app.listen({ host: ctx.config.api.host, port: ctx.config.api.port });
  ctx.shutdown.register("api", "http", () => app.close());
  return { app, address };
}
