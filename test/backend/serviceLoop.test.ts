import { expect } from "chai";
import { createServicePasses } from "../../backend/src/serviceLoop";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const noShutdown = { register: () => undefined };

describe("service passes (the loop of the deposit watcher, the reconciler and the deal keeper)", () => {
  it("never overlaps two passes: an on-demand pass waits for the scheduled one in progress", async () => {
    let running = 0;
    let most = 0;
    let count = 0;
    const passes = createServicePasses(noShutdown, {
      name: "test",
      intervalMs: 5,
      pass: async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(20);
        running -= 1;
        return ++count;
      },
    });
    passes.start();
    const onDemand = await Promise.all([passes.runOnce(), passes.runOnce(), passes.runOnce()]);
    await passes.stop();
    expect(most).to.equal(1);
    expect(new Set(onDemand).size, "each caller got a pass of its own").to.equal(3);
    expect(passes.started).to.equal(false);
  });

  it("stop() waits for an on-demand pass in progress; a failed scheduled pass is reported and the loop goes on", async () => {
    const errors: unknown[] = [];
    let scheduled = 0;
    const passes = createServicePasses(noShutdown, {
      name: "test",
      intervalMs: 5,
      pass: async () => {
        scheduled += 1;
        if (scheduled === 1) throw new Error("first pass fails");
        return scheduled;
      },
      onError: (error) => errors.push(error),
    });
    passes.start();
    await sleep(40);
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(["first pass fails"]);
    expect(scheduled, "later passes ran").to.be.greaterThan(1);
    await passes.stop();

    let finished = false;
    const slow = createServicePasses(noShutdown, {
      name: "slow",
      intervalMs: 1_000,
      pass: async () => {
        await sleep(50);
        finished = true;
      },
    });
    const pending = slow.runOnce();
    await slow.stop();
    expect(finished, "stop() returned only after the pass").to.equal(true);
    await pending;
  });
});
