import http from "node:http";
import { expect } from "chai";
import { CHAIN_EVENTS_CHANNEL } from "../../../../backend/src/db/channels";
import { domainApp } from "../helpers";

const ALICE = "0x00000000000000000000000000000000000a11ce";
const BOB = "0x0000000000000000000000000000000000000b0b";
const TOKEN = "0x00000000000000000000000000000000000000cc";

type Harness = Awaited<ReturnType<typeof domainApp>>;
type Message = { id?: string; event?: string; data?: Record<string, unknown> };

/** Reads an event stream over real HTTP, parsing its messages as they arrive. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const messages: Message[] = [];
  let status = 0;
  let buffer = "";
  let contentType = "";
  const request = http.get(url, { headers }, (response) => {
    status = response.statusCode ?? 0;
    contentType = String(response.headers["content-type"]);
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: Message = {};
        for (const line of block.split("\n")) {
          if (line.startsWith("id: ")) message.id = line.slice(4);
          if (line.startsWith("event: ")) message.event = line.slice(7);
          if (line.startsWith("data: ")) message.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
        }
        if (message.event !== undefined) messages.push(message);
      }
    });
  });
  request.on("error", () => undefined);
  return { messages, status: () => status, contentType: () => contentType, close: () => request.destroy() };
}

async function until(check: () => boolean, what: string, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let block = 100;
/** Stores one chain event as the indexer does and notifies, as the indexer's committed step does. */
async function indexEvent(h: Harness, eventName: string, args: Record<string, unknown>): Promise<void> {
  block += 1;
  const hash = `0x${block.toString(16).padStart(64, "0")}`;
  await h.db.pool.query(
    `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args)
     VALUES ($1, $2, $2, 0, $3, $4, $5)`,
    [block, hash, TOKEN, eventName, JSON.stringify(args)],
  );
  await h.db.pool.query("SELECT pg_notify($1, $2)", [CHAIN_EVENTS_CHANNEL, JSON.stringify({ toBlock: String(block) })]);
}

describe("api routes: GET /events, a wallet's chain events as Server-Sent Events", function () {
  this.timeout(60_000);
  let h: Harness;
  let base: string;
  before(async () => {
    h = await domainApp();
    base = await h.app.listen({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await h?.close();
  });

  it("streams, as they are indexed, only the events the wallet takes part in, each with its id as the cursor", async () => {
    await indexEvent(h, "OrderFilled", { maker: ALICE, taker: BOB, amount: "1" }); // before the stream: not sent
    const stream = openStream(`${base}/events?wallet=${ALICE}`);
    try {
      await until(() => stream.status() === 200, "the stream to open");
      expect(stream.contentType()).to.match(/^text\/event-stream/);
      await indexEvent(h, "RetirementRequested", { holder: BOB, amount: "2" });
      await indexEvent(h, "RetirementRequested", { holder: ALICE.toUpperCase().replace("0X", "0x"), amount: "3" });
      await indexEvent(h, "DealOpened", { seller: BOB, buyer: ALICE });
      await until(() => stream.messages.length >= 2, "two events");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(stream.messages.map((m) => m.event)).to.deep.equal(["RetirementRequested", "DealOpened"]);
      expect(stream.messages[0]!.data).to.include({ eventName: "RetirementRequested", blockNumber: String(block - 1) });
      expect((stream.messages[0]!.data!.args as { amount: string }).amount).to.equal("3");
      expect(stream.messages[0]!.id).to.equal(stream.messages[0]!.data!.id);
    } finally {
      stream.close();
    }
  });

  it("resumes after Last-Event-ID (or ?after=) without losing what happened while it was away", async () => {
    const first = openStream(`${base}/events?wallet=${BOB}`);
    await until(() => first.status() === 200, "the stream to open");
    await indexEvent(h, "OrderFilled", { maker: BOB, taker: ALICE, amount: "4" });
    await until(() => first.messages.length === 1, "the first event");
    first.close();
    const cursor = first.messages[0]!.id!;
    await indexEvent(h, "OrderCancelled", { maker: BOB });
    await indexEvent(h, "WithdrawalRequested", { holder: BOB });
    for (const stream of [
      openStream(`${base}/events?wallet=${BOB}`, { "last-event-id": cursor }),
      openStream(`${base}/events?wallet=${BOB}&after=${cursor}`),
    ]) {
      try {
        await until(() => stream.messages.length >= 2, "the missed events");
        expect(stream.messages.map((m) => m.event)).to.deep.equal(["OrderCancelled", "WithdrawalRequested"]);
      } finally {
        stream.close();
      }
    }
  });

  it("names a bad wallet or cursor (400), and the app still closes with a stream open", async () => {
    const bad = await h.app.inject({ method: "GET", url: "/events?wallet=0x123" });
    expect(bad.statusCode).to.equal(400);
    expect(bad.json().fields[0].field).to.equal("querystring.wallet");
    const badCursor = await h.app.inject({ method: "GET", url: `/events?wallet=${ALICE}&after=-1` });
    expect(badCursor.statusCode).to.equal(400);
    expect(badCursor.json().fields[0].field).to.equal("querystring.after");
    const stream = openStream(`${base}/events?wallet=${ALICE}`);
    await until(() => stream.status() === 200, "the stream to open");
    const other = await domainApp();
    await other.app.listen({ host: "127.0.0.1", port: 0 });
    const held = openStream(`${other.app.listeningOrigin}/events?wallet=${ALICE}`);
    await until(() => held.status() === 200, "the second app's stream to open");
    const closing = Date.now();
    await other.close(); // hangs without the preClose hook: a stream is never idle
    expect(Date.now() - closing).to.be.below(5_000);
    stream.close();
    held.close();
  });
});
