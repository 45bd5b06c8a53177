import { stopTestChain } from "./chain";
import { stopTestCluster } from "./database";

/** Mocha root hooks for the backend suite (loaded through `.mocharc.json`). */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestChain();
    await stopTestCluster();
  },
};
