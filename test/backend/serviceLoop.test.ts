import { expect } from "chai";
import { createServiceLoop } from "../../backend/src/serviceLoop";

const shutdown = { register: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("serviceLoop", () => {
  it("runs at once, then an interval after each run; wake() runs now while idle, and once more right after a run in progress", async () => {
    const starts: number[] = [];
    let release: (() => void) | undefined;
    const loop = createServiceLoop(shutdown, {
      name: "test",
      intervalMs: 60_000,
      run: async () => {
        starts.push(Date.now());
        if (starts.length === 2) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    loop.wake(); // not started: nothing
    expect(starts).to.have.length(0);
    loop.start();
    await sleep(20);
    expect(starts, "the first run, at start").to.have.length(1);
    loop.wake();
    await sleep(20);
    expect(starts, "woken while waiting out its interval").to.have.length(2);
    loop.wake(); // during the second run, which is held open
    loop.wake(); // twice: still one more run
    await sleep(20);
    expect(starts).to.have.length(2);
    release?.();
    await sleep(20);
    expect(starts, "one more run right after the woken-during run").to.have.length(3);
    await sleep(50);
    expect(starts, "then the interval again").to.have.length(3);
    await loop.stop();
    loop.wake();
    await sleep(20);
    expect(starts, "stopped: wake does nothing").to.have.length(3);
  });
});
