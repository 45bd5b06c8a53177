import { expect } from "chai";
import { listen } from "../../../backend/src/db/listen";
import { createLogger } from "../../../backend/src/logger";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { until } from "../../support/platformProcess";

const logger = createLogger({ level: "silent" });

describe("db: a LISTEN kept alive across lost connections", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    db.pool.on("error", () => undefined); // idle clients of the pool lose their connection too
  });
  after(async () => {
    await db?.drop();
  });

  it("delivers notifications, and after its connection is terminated reconnects, calls once with no payload, and " +
    "delivers again", async () => {
    const received: Array<string | undefined> = [];
    const listener = listen(db.pool, "carbon_test_channel", (payload) => received.push(payload), logger);
    await listener.ready;
    await db.pool.query("select pg_notify('carbon_test_channel', 'one'), pg_notify('other_channel', 'ignored')");
    await until("the first notification", async () => (received.length === 1 ? true : undefined), 5_000, 20);
    expect(received).to.deep.equal(["one"]);

    // What a server restart does to the connection: the backend holding the LISTEN is gone.
    const { rows } = await db.pool.query<{ n: number }>(
      "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where query ilike 'LISTEN " +
        "carbon_test_channel%' and pid <> pg_backend_pid()",
    );
    expect(rows[0]!.n).to.equal(1);
    await until("the reconnection call", async () => (received.length === 2 ? true : undefined), 10_000, 20);
    expect(received[1]).to.equal(undefined);

    await db.pool.query("select pg_notify('carbon_test_channel', 'two')");
    await until("the notification after reconnecting", async () => (received.length === 3 ? true : undefined), 5_000, 20);
    expect(received).to.deep.equal(["one", undefined, "two"]);

    await listener.close();
    await db.pool.query("select pg_notify('carbon_test_channel', 'three')");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).to.have.length(3);
  });

  it("shares one connection between the subscriptions of a pool, and gives it back when the last one closes", async () => {
    const listeners = () =>
      db.pool.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike '%LISTEN " +
          "carbon_shared_%' and pid <> pg_backend_pid()",
      );
    const a: Array<string | undefined> = [];
    const b: Array<string | undefined> = [];
    const first = listen(db.pool, "carbon_shared_a", (payload) => a.push(payload), logger);
    const second = listen(db.pool, "carbon_shared_b", (payload) => b.push(payload), logger);
    const third = listen(db.pool, "carbon_shared_a", (payload) => a.push(`again ${payload}`), logger);
    await Promise.all([first.ready, second.ready, third.ready]);
    expect((await listeners()).rows[0]!.n, "connections listening").to.equal(1);
    await db.pool.query("select pg_notify('carbon_shared_a', 'x'), pg_notify('carbon_shared_b', 'y')");
    await until("both channels", async () => (a.length === 2 && b.length === 1 ? true : undefined), 5_000, 20);
    expect(a.sort()).to.deep.equal(["again x", "x"]);
    expect(b).to.deep.equal(["y"]);

    await first.close(); // the other subscription of channel a still listens
    await db.pool.query("select pg_notify('carbon_shared_a', 'z')");
    await until("channel a after one of its two closed", async () => (a.length === 3 ? true : undefined), 5_000, 20);
    expect(a[2]).to.equal("again z");
    await Promise.all([second.close(), third.close()]);
    await until("the connection given back", async () => ((await listeners()).rows[0]!.n === 0 ? true : undefined), 5_000, 50);
  });
});
