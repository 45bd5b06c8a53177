import { Writable } from "node:stream";
import { inspect } from "node:util";
import { expect } from "chai";
import { ConfigError, SECRET_KEYS, Secret, loadConfig, siweDomainOf } from "../../../backend/src/config";
import { createLogger } from "../../../backend/src/logger";

const KEY = `0x${"ab".repeat(32)}`;
const BAD_KEY_TEXT = "0xdeadbeefcafe";

describe("config", () => {
  it("parses an empty environment with the defaults", () => {
    const config = loadConfig({});
    expect(config.api).to.deep.equal({ host: "127.0.0.1", port: 3000, siweDomain: undefined });
    expect(siweDomainOf(config)).to.equal("127.0.0.1:3000");
    expect(config.chain).to.deep.equal({
      rpcUrl: undefined,
      chainId: 31337,
      confirmations: 1,
      blockTimeMs: 1000,
      embeddedRpcPort: 8545,
      deploymentFile: undefined,
      artifactsDir: undefined,
    });
    expect(config.simulatorBasePort).to.equal(4101);
    expect(config.database.url).to.equal(undefined);
    expect(config.dataDir).to.match(/\/\.data$/);
    expect(config.logLevel).to.equal("info");
    expect(config.oracle.threshold).to.equal(2);
    expect(config.registries).to.deep.equal({
      verra: undefined,
      goldStandard: undefined,
      irec: undefined,
      inCcts: undefined,
      irecUsername: undefined,
      irecPassword: undefined,
      inCctsApiKey: undefined,
      custodyAccount: "PLATFORM-CUSTODY",
      webhookSecret: undefined,
    });
    expect(config.workers.concurrency).to.equal(4);
    expect(config.keys.agent).to.equal(undefined);
    expect(config.oracle).to.deep.equal({ threshold: 2, pollMs: 1_000, reserveIntervalMs: 3_600_000, aggregatorWindowMs: 250 });
    expect(config.deposits.watchIntervalMs).to.equal(2_000);
  });

  it("marks secrets in the schema: every secret setting arrives as a Secret and is listed as one", () => {
    expect([...SECRET_KEYS].sort()).to.deep.equal([
      "AGENT_KEY", "BANK_API_KEY", "DATABASE_URL", "DEPLOYER_KEY", "EVIDENCE_ANCHOR_KEY", "GUARDIAN_KEY", "IN_CCTS_API_KEY",
      "IREC_PASSWORD", "KEEPER_KEY", "RELAYER_KEY", "WEBHOOK_SECRET",
    ]);
    const config = loadConfig({ IREC_USERNAME: "alice", IREC_PASSWORD: "pw-of-alice", IN_CCTS_API_KEY: "ccts-key" });
    expect(config.registries.irecPassword).to.be.instanceOf(Secret);
    expect(config.registries.irecPassword?.reveal()).to.equal("pw-of-alice");
    expect(config.registries.inCctsApiKey).to.be.instanceOf(Secret);
    expect(config.registries.irecUsername).to.equal("alice");
  });

  it("reports the rules across settings with every other bad key, in one error", () => {
    let error: unknown;
    try {
      loadConfig({ RPC_URL: "http://127.0.0.1:8545", IREC_USERNAME: "alice", BANK_API_URL: "https://bank.example", PORT: "abc" });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.key)).to.have.members([
      "PORT",
      "IREC_PASSWORD",
      "BANK_API_KEY",
      "DEPLOYMENT_FILE",
    ]);
    expect((error as ConfigError).message).to.contain("IREC_PASSWORD: set IREC_USERNAME and IREC_PASSWORD together");
  });

  it("reads the role intervals and the artifacts folder from the environment", () => {
    const config = loadConfig({
      ORACLE_POLL_MS: "2000",
      AGGREGATOR_WINDOW_MS: "1000",
      DEPOSIT_WATCH_INTERVAL_MS: "500",
      CARBON_ARTIFACTS_DIR: "/tmp/a",
    });
    expect(config.oracle.pollMs).to.equal(2000);
    expect(config.oracle.aggregatorWindowMs).to.equal(1000);
    expect(config.deposits.watchIntervalMs).to.equal(500);
    expect(config.chain.artifactsDir).to.equal("/tmp/a");
    expect(() => loadConfig({ ORACLE_POLL_MS: "10" })).to.throw(ConfigError, /ORACLE_POLL_MS: expected integer 50-3600000, got "10"/);
  });

  it("keeps WEBHOOK_SECRET and AGENT_KEY secret and rejects a short webhook secret", () => {
    const config = loadConfig({ WEBHOOK_SECRET: "a-long-enough-secret", AGENT_KEY: `0x${"11".repeat(32)}` });
    expect(String(config.registries.webhookSecret)).to.equal("[redacted]");
    expect(config.registries.webhookSecret?.reveal()).to.equal("a-long-enough-secret");
    expect(config.keys.agent?.reveal()).to.equal(`0x${"11".repeat(32)}`);
    expect(() => loadConfig({ WEBHOOK_SECRET: "short" })).to.throw(ConfigError, /WEBHOOK_SECRET: expected at least 16 characters$/);
  });

  it("requires DEPLOYMENT_FILE with RPC_URL, naming the key", () => {
    expect(() => loadConfig({ RPC_URL: "http://127.0.0.1:8545" })).to.throw(ConfigError, /DEPLOYMENT_FILE: required with RPC_URL/);
  });

  it("parses a full environment", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://app:pw@db.internal:5432/carbon",
      RPC_URL: "http://127.0.0.1:8545",
      CHAIN_ID: "1337",
      CONFIRMATIONS: "0",
      BLOCK_TIME_MS: "0",
      PORT: "8080",
      HOST: "0.0.0.0",
      DATA_DIR: "/var/lib/carbon",
      LOG_LEVEL: "debug",
      VERRA_API_URL: "https://verra.example/api",
      DEPLOYER_KEY: KEY,
      ORACLE_THRESHOLD: "3",
      EMBEDDED_PG_PORT: "6543",
      DEPLOYMENT_FILE: "/etc/carbon/besu.json",
      RPC_PORT: "18545",
      SIMULATOR_BASE_PORT: "5001",
      SIWE_DOMAIN: "carbon.example.com",
    });
    expect(config.chain).to.deep.equal({
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 1337,
      confirmations: 0,
      blockTimeMs: 0,
      embeddedRpcPort: 18545,
      deploymentFile: "/etc/carbon/besu.json",
      artifactsDir: undefined,
    });
    expect(config.simulatorBasePort).to.equal(5001);
    expect(config.api).to.deep.equal({ host: "0.0.0.0", port: 8080, siweDomain: "carbon.example.com" });
    expect(config.dataDir).to.equal("/var/lib/carbon");
    expect(config.registries.verra).to.equal("https://verra.example/api");
    expect(config.keys.deployer?.reveal()).to.equal(KEY);
    expect(config.oracle.threshold).to.equal(3);
    expect(config.database.embeddedPort).to.equal(6543);
    expect(config.database.url?.reveal()).to.equal("postgres://app:pw@db.internal:5432/carbon");
  });

  it("fiat legs: the embedded bank simulator and USD by default; a bank URL needs its key, which stays secret", () => {
    expect(loadConfig({}).payments).to.deep.equal({
      bankUrl: undefined,
      bankApiKey: undefined,
      collectionAccount: "PLATFORM-CLIENT-MONEY",
      currency: "USD",
      simulatorPort: 4105,
    });
    expect(() => loadConfig({ BANK_API_URL: "https://bank.example.com" })).to.throw(ConfigError, "BANK_API_KEY: required with BANK_API_URL");
    const config = loadConfig({ BANK_API_URL: "https://bank.example.com", BANK_API_KEY: "s3cret-bank-key", FIAT_CURRENCY: "EUR" });
    expect(config.payments.bankApiKey?.reveal()).to.equal("s3cret-bank-key");
    expect(JSON.stringify(config)).to.not.contain("s3cret-bank-key");
    expect(config.payments.currency).to.equal("EUR");
    expect(() => loadConfig({ FIAT_CURRENCY: "usd" })).to.throw(ConfigError, "FIAT_CURRENCY: expected an ISO 4217 code");
  });

  it("EMBEDDED_SERVICES: all three by default, none, a subset; an unknown part is named", () => {
    expect([...loadConfig({}).embeddedServices].sort()).to.deep.equal(["aggregator", "oracles", "workers"]);
    expect([...loadConfig({ EMBEDDED_SERVICES: "none" }).embeddedServices]).to.deep.equal([]);
    expect([...loadConfig({ EMBEDDED_SERVICES: "workers, aggregator" }).embeddedServices].sort()).to.deep.equal([
      "aggregator",
      "workers",
    ]);
    expect(() => loadConfig({ EMBEDDED_SERVICES: "workers,relayer" })).to.throw(
      ConfigError,
      'EMBEDDED_SERVICES: unknown service relayer; expected "none" or some of workers, oracles, aggregator',
    );
  });

  it("treats empty strings as absent", () => {
    expect(loadConfig({ PORT: "", RPC_URL: "" }).api.port).to.equal(3000);
  });

  it("names every bad key in one error, with the reason and the bad value", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "abc", CONFIRMATIONS: "-1", LOG_LEVEL: "loud", VERRA_API_URL: "ftp://x", CHAIN_ID: "1.5" });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).to.match(/^Invalid configuration: /);
    expect(message).to.contain('PORT: expected integer 1-65535, got "abc"');
    expect(message).to.contain('CONFIRMATIONS: expected integer 0-1000, got "-1"');
    expect(message).to.contain('LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(message).to.contain('VERRA_API_URL: expected an http(s) URL, got "ftp://x"');
    expect(message).to.contain("CHAIN_ID: expected integer");
    expect((error as ConfigError).issues.map((issue) => issue.key)).to.have.members([
      "PORT",
      "CONFIRMATIONS",
      "LOG_LEVEL",
      "VERRA_API_URL",
      "CHAIN_ID",
    ]);
    expect((error as ConfigError).retryable).to.equal(false);
  });

  it("names bad secrets without echoing them", () => {
    const env = {
      DEPLOYER_KEY: BAD_KEY_TEXT,
      RELAYER_KEY: `${KEY}00`,
      DATABASE_URL: "mysql://admin:hunter2@db/x",
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    const message = (error as Error).message;
    expect(message).to.contain("DEPLOYER_KEY: expected 0x followed by 64 hex digits");
    expect(message).to.contain("RELAYER_KEY: expected 0x followed by 64 hex digits");
    expect(message).to.contain("DATABASE_URL: expected a postgres:// or postgresql:// URL");
    for (const secret of [BAD_KEY_TEXT, KEY, "hunter2"]) {
      expect(message).not.to.contain(secret);
      expect(JSON.stringify((error as ConfigError).details)).not.to.contain(secret);
    }
  });

  it("keeps keys out of JSON, inspect and log lines", () => {
    const config = loadConfig({
      DEPLOYER_KEY: KEY,
      GUARDIAN_KEY: KEY,
      RELAYER_KEY: KEY,
      DATABASE_URL: "postgres://app:hunter2@db/carbon",
    });
    for (const secret of [KEY.slice(2), "hunter2"]) {
      expect(JSON.stringify(config)).not.to.contain(secret);
      expect(inspect(config, { depth: 10 })).not.to.contain(secret);
    }
    expect(String(config.keys.guardian)).to.equal("[redacted]");

    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: "info", destination });
    logger.info({ config }, "config loaded");
    logger.info({ password: "hunter2", headers: { authorization: "Bearer s3cr3t" }, wallet: { privateKey: KEY } }, "x");
    const output = lines.join("");
    for (const secret of [KEY.slice(2), "hunter2", "s3cr3t"]) expect(output).not.to.contain(secret);
    expect(output).to.contain("[redacted]");
  });
});
