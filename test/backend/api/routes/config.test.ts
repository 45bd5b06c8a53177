import { expect } from "chai";
import { type App, buildApp } from "../../../../backend/src/api/app";
import { unknownRegistryStatus } from "../../../../backend/src/registries/status";
import { migrate } from "../../../../backend/src/db";
import { createLogger } from "../../../../backend/src/logger";
import { testPublicClient, useAutomine } from "../../../support/chain";
import { type TestDatabase, createTestDatabase } from "../../../support/database";
import { deployTestPlatform } from "../../support/platform";
import { apiContext } from "../helpers";

describe("api routes: GET /config, what a client needs without reading the code", () => {
  let app: App;
  let db: TestDatabase;
  let platform: Awaited<ReturnType<typeof deployTestPlatform>>;

  before(async () => {
    await useAutomine();
    platform = await deployTestPlatform();
    db = await createTestDatabase();
    await migrate({ url: db.url, logger: createLogger({ level: "silent" }) });
    const { ctx } = apiContext(db.pool);
    ctx.client = {
      deployment: platform.deployment,
      publicRpcUrl: "http://wallets.example:8545",
      publicUrl: "https://carbon.test",
      client: await testPublicClient(),
      registryStatus: unknownRegistryStatus,
      registries: ["VERRA", "IN_CCTS"],
      siwe: { domain: "carbon.test", chainId: platform.deployment.chainId },
      custodyAccount: "PLATFORM-CUSTODY",
    };
    app = await buildApp(ctx);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.drop();
  });

  it("answers the chain, the contracts, the EIP-712 domains and type strings, the fee as Settlement holds it, the " +
    "registries", async () => {
    const response = await app.inject({ method: "GET", url: "/config" });
    expect(response.statusCode, response.body).to.equal(200);
    const config = response.json();
    expect(config.chainId).to.equal(platform.deployment.chainId);
    expect(config.rpcUrl).to.equal("http://wallets.example:8545");
    expect(config.contracts.settlement).to.equal(platform.deployment.settlement);
    expect(config.eip712.settlement.domain).to.deep.equal({
      name: "CarbonSettlement",
      version: "1",
      chainId: platform.deployment.chainId,
      verifyingContract: platform.deployment.settlement,
    });
    const orderType = config.eip712.settlement.typeStrings.Order as string;
    expect(orderType).to.match(
      /^Order\(uint8 side,address maker,address taker,uint256 batchId,uint256 amount,uint256 unitPrice,address paymentToken,/,
    );
    expect(config.eip712.registryBridge.typeStrings.RetirementConfirmedBatch).to.match(
      /^RetirementConfirmedBatch\(RetirementConfirmed\[\] items\)RetirementConfirmed\(/,
    );
    expect(config.fees.feeBps).to.equal(0);
    expect(config.registries.map((r: { id: string; number: number }) => [r.id, r.number])).to.deep.equal([
      ["VERRA", 1],
      ["IN_CCTS", 4],
    ]);
    expect(config.registries[0].status).to.deep.equal({ paused: null, circuit: "unknown" });
  });
});
