import { stopTestChain } from "./chain";
import { stopTestCluster } from "./database";
import { runningPlatformOutput } from "./platformProcess";

/** Mocha root hooks for the backend suite (loaded through `.mocharc.json`). */
export const mochaHooks = {
  /** A failed test on a running platform shows what the platform printed (its warnings and errors). */
  afterEach(this: Mocha.Context) {
    if (this.currentTest?.state !== "failed") return;
    const output = runningPlatformOutput();
    if (output) console.error(output);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestChain();
    await stopTestCluster();
  },
};
