import { expect } from "chai";
import { type PlatformProcess, privatePorts, startPlatformProcess } from "../support/platformProcess";
import { AT_REST, checkInvariants } from "./support/invariants";

describe("scenarios support: the invariants of a fresh platform", () => {
  let platform: PlatformProcess;
  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500" }, privatePorts(process.pid + 40));
  });
  after(async () => {
    await platform?.stop();
  });

  it("counts nothing wrong on the demo state (one minted Verra block, fully in custody)", async () => {
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
