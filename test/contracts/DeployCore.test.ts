import { expect } from "chai";
import { ethers } from "hardhat";
import { MAX_UINT64, coreConfigFromEnv, deployCore, finalizeCoreAdmin } from "../../scripts/lib/deployCore";

describe("scripts/lib/deployCore", () => {
  it("wires the core, registers the bridge as a platform identity and hands admin over", async () => {
    const [deployer, admin, guardian, agent, kyc, o1, o2, o3] = await ethers.getSigners();
    const addr = (s: { address: string } | undefined) => (s as { address: string }).address;
    const core = await deployCore(
      { ethers },
      {
        admin: addr(admin),
        guardian: addr(guardian),
        agent: addr(agent),
        kycAgent: addr(kyc),
        oracles: [addr(o1), addr(o2), addr(o3)],
        threshold: 2,
        requestWindowSeconds: 3600,
      },
      deployer,
    );
    const { identityRegistry: id, creditToken: token, registryBridge: bridge, addresses } = core;
    expect(await token.bridge()).to.equal(addresses.registryBridge);
    expect(await token.identityRegistry()).to.equal(addresses.identityRegistry);
    expect(await bridge.token()).to.equal(addresses.creditToken);
    const bridgeId = await id.identityOf(addresses.registryBridge);
    expect([bridgeId.verified, bridgeId.country, bridgeId.expiry]).to.deep.equal([true, 0n, MAX_UINT64]);
    expect(await id.hasRole(await id.FREEZER_ROLE(), addresses.creditToken)).to.equal(true);
    expect(await token.hasRole(await token.AGENT_ROLE(), addr(agent))).to.equal(true);
    expect(await token.hasRole(await token.PAUSER_ROLE(), addr(guardian))).to.equal(true);
    expect(await bridge.hasRole(await bridge.GUARDIAN_ROLE(), addr(guardian))).to.equal(true);
    expect(await bridge.threshold()).to.equal(2n);
    expect(await bridge.requestWindow()).to.equal(3600n);

    await finalizeCoreAdmin(core);
    const adminRole = ethers.ZeroHash;
    for (const c of [id, token, bridge]) {
      expect(await c.hasRole(adminRole, addr(admin))).to.equal(true);
      expect(await c.hasRole(adminRole, addr(deployer))).to.equal(false);
    }
    expect(await id.hasRole(await id.KYC_AGENT_ROLE(), addr(deployer))).to.equal(false);
  });

  it("reads its configuration from the environment, naming a missing oracle list", () => {
    expect(() => coreConfigFromEnv({}, "0x01")).to.throw(/ORACLE_ADDRESSES/);
    const c = coreConfigFromEnv({ ORACLE_ADDRESSES: "0xa, 0xb,0xc", GUARDIAN_ADDRESS: "0xg" }, "0xd");
    expect([c.oracles, c.threshold, c.guardian, c.pauser, c.admin, c.requestWindowSeconds]).to.deep.equal([
      ["0xa", "0xb", "0xc"],
      2,
      "0xg",
      "0xg",
      "0xd",
      604_800,
    ]);
    expect(() => coreConfigFromEnv({ ORACLE_ADDRESSES: "0xa", ORACLE_THRESHOLD: "two" }, "0xd")).to.throw(/ORACLE_THRESHOLD/);
  });
});
