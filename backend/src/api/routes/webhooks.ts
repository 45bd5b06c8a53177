/**
 * `POST /webhooks/:registry`: registry event deliveries (docs/watchers.md). The adapter's `verifyWebhook` checks
 * the HMAC over the raw body bytes as received (so this plugin parses bodies itself: a raw-buffer content-type
 * parser scoped to this plugin only, leaving JSON parsing of every other route alone) and the timestamp tolerance.
 * A forged, wrongly signed or stale delivery gets 401 with the reason and stores nothing; an unknown registry 404.
 * A valid event is stored once per (registry, event id): a duplicate answers 200 and changes nothing. Stored
 * events are handed to `onChanges` (the applier's drain) without waiting for it: the registry is answered at once,
 * and an apply that fails is retried by the poller's next drain.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import type { Metrics } from "../../metrics";
import type { RegistryName } from "../../registries/ids";
import type { RegistryChange } from "../../registries/model";
import type { RegistryPort } from "../../registries/port";
import { storeChanges } from "../../watchers/events";
import { errors, notFound, replyError } from "../http";
import { errorBody } from "../schemas";

export type WebhookRoutesOptions = {
  pool: Pool;
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  /** Called with the changes stored by a delivery (never with duplicates); errors are logged, not answered. */
  onChanges?: ((registry: RegistryName, changes: RegistryChange[]) => Promise<unknown> | void) | undefined;
  /** Counts deliveries in `carbon_registry_webhooks_total{registry,outcome}` when given. */
  metrics?: Metrics | undefined;
};

const params = z.object({
  registry: z.string().max(64).describe("Registry name as the platform spells it: VERRA, GOLD_STANDARD, IREC, IN_CCTS"),
});

const acceptedBody = z.object({
  registry: z.string(),
  eventId: z.string(),
  duplicate: z.boolean().describe("true: this event was stored before (a repeated delivery); nothing changed"),
});

const webhookRoutes: FastifyPluginAsyncZod<WebhookRoutesOptions> = async (app, options) => {
  const { pool, adapters, onChanges } = options;
  const deliveries = options.metrics?.counter({
    name: "registry_webhooks_total",
    help: "Registry webhook deliveries by outcome: stored, duplicate, rejected (signature, timestamp, body), unknown_registry",
    labelNames: ["registry", "outcome"],
  });

  // The signature covers the exact bytes sent: keep them. Scoped to this plugin (fastify encapsulation).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.post(
    "/webhooks/:registry",
    {
      schema: {
        tags: ["registries"],
        summary: "A registry's signed event delivery (HMAC-SHA256 over timestamp and raw body)",
        params,
        response: {
          200: acceptedBody,
          401: errorBody.describe("Signature, timestamp or body refused; the reason is in `message`"),
          ...notFound,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const name = request.params.registry as RegistryName;
      const adapter = Object.hasOwn(adapters, name) ? adapters[name] : undefined;
      if (adapter === undefined) {
        deliveries?.inc({ registry: "unknown", outcome: "unknown_registry" });
        return replyError(reply, 404, "not_found", `no registry ${request.params.registry} is connected`);
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verified = adapter.verifyWebhook(request.headers, raw);
      if (!verified.ok) {
        deliveries?.inc({ registry: name, outcome: "rejected" });
        request.log.warn({ registry: name, reason: verified.reason }, "webhook refused");
        return replyError(reply, 401, "unauthorized", verified.reason);
      }
      const { stored } = await storeChanges(pool, name, [verified.change], "webhook");
      deliveries?.inc({ registry: name, outcome: stored.length > 0 ? "stored" : "duplicate" });
      if (stored.length > 0 && onChanges !== undefined) {
        Promise.resolve()
          .then(() => onChanges(name, stored))
          .catch((error: unknown) =>
            request.log.warn({ registry: name, err: error }, "applying webhook changes failed; polling retries"),
          );
      }
      return { registry: name, eventId: verified.change.eventId, duplicate: stored.length === 0 };
    },
  );
};

export default webhookRoutes;
