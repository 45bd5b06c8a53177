/**
 * Notifications: `GET /events?wallet=0x...` is a Server-Sent Events stream of the chain events in which the wallet
 * takes part, as the indexer stores them: its orders' fills and on-chain cancels, its retirement, withdrawal and
 * deposit requests and their outcomes, its deals, its transfers. Each message is one event:
 *
 *     id: <chain_events id>
 *     event: <event name, e.g. OrderFilled>
 *     data: {"id":"…","eventName":"OrderFilled","contract":"0x…","blockNumber":"…","txHash":"0x…","logIndex":0,"args":{…}}
 *
 * The id is the stream's cursor: a client that reconnects sends it back as `Last-Event-ID` (browsers' EventSource
 * does so by itself) or as `?after=`, and gets every event after it, so nothing is lost across a reconnect. Without
 * a cursor the stream starts at the newest event (only what happens from now). New events arrive when the indexer
 * commits a step (`NOTIFY carbon_chain_events`), with a poll every `pollMs` in case a notification is missed; a
 * comment line every `heartbeatMs` keeps proxies from closing a quiet stream. Everything it sends is public on the
 * chain already, so the stream needs no session. Orders posted to the API but not yet filled are not chain events:
 * `GET /orders?maker=` lists them.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { ServerResponse } from "node:http";
import type { Pool } from "pg";
import { z } from "zod";
import { CHAIN_EVENTS_CHANNEL } from "../../db/channels";
import { listen } from "../../db/listen";
import type { Logger } from "../../logger";
import { createCoalescingRunner } from "../../serviceLoop";
import { addressParam, checksum, errors } from "../http";
import { type WalletEventRow, latestEventId, listWalletEvents } from "../queries/events";

export type EventRoutesOptions = { pool: Pool; pollMs?: number; heartbeatMs?: number };

/** Events read per query; a longer backlog is sent in several reads. */
const BATCH = 500;
const cursor = z.string().regex(/^\d{1,19}$/, "expected a chain event id (decimal)");

function message(row: WalletEventRow): string {
  const data = {
    id: row.id,
    eventName: row.event_name,
    contract: checksum(row.contract),
    blockNumber: row.block_number,
    txHash: row.tx_hash,
    logIndex: row.log_index,
    args: row.args,
  };
  return `id: ${row.id}\nevent: ${row.event_name}\ndata: ${JSON.stringify(data)}\n\n`;
}

const eventRoutes: FastifyPluginAsyncZod<EventRoutesOptions> = async (app, options) => {
  const { pool } = options;
  const pollMs = options.pollMs ?? 2_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const open = new Set<ServerResponse>();
  // Streams never go idle, so the server's close would wait for them: end them first.
  app.addHook("preClose", async () => {
    for (const response of open) response.end();
  });

  app.get(
    "/events",
    {
      schema: {
        tags: ["notifications"],
        summary: "Server-Sent Events: the chain events a wallet takes part in (fills, requests, deals, transfers)",
        description:
          "text/event-stream. Each message's id is its cursor: reconnect with Last-Event-ID (or ?after=) to resume " +
          "without a gap; without one the stream starts at the newest event.",
        querystring: z.object({
          wallet: addressParam.describe("The wallet whose events to stream"),
          after: cursor.optional().describe("Resume after this event id (Last-Event-ID takes precedence)"),
        }),
        headers: z.object({ "last-event-id": cursor.optional() }).passthrough(),
        response: { 200: z.string().describe("text/event-stream"), ...errors },
      },
    },
    async (request, reply) => {
      const wallet = request.query.wallet.toLowerCase();
      let after = request.headers["last-event-id"] ?? request.query.after ?? (await latestEventId(pool));
      const response = reply.raw;
      reply.hijack();
      response.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      response.write(`retry: ${pollMs}\n: streaming events of ${checksum(wallet)} after ${after}\n\n`);
      open.add(response);

      const send = async () => {
        for (;;) {
          const rows = await listWalletEvents(pool, { wallet, afterId: after, limit: BATCH });
          for (const row of rows) response.write(message(row));
          if (rows.length > 0) after = rows[rows.length - 1]!.id;
          if (rows.length < BATCH || response.writableEnded) return;
        }
      };
      // One read at a time; a wake-up during a read runs one more read after it (the shared coalescing runner).
      const reader = createCoalescingRunner({
        pass: send,
        combine: () => undefined,
        proceed: () => !response.writableEnded,
      });
      const wake = () => {
        reader.run().catch((error: unknown) => request.log.warn({ err: error }, "event stream read failed; retrying on the next poll"));
      };
      const listener = listen(pool, CHAIN_EVENTS_CHANNEL, wake, request.log as unknown as Logger);
      const poll = setInterval(wake, pollMs);
      const heartbeat = setInterval(() => response.write(": heartbeat\n\n"), heartbeatMs);
      const stop = () => {
        clearInterval(poll);
        clearInterval(heartbeat);
        open.delete(response);
        void listener.close();
      };
      response.on("close", stop);
      await listener.ready;
      wake();
    },
  );
};

export default eventRoutes;
