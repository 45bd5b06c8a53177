/**
 * The embedded chain in a process of its own. Hardhat's EVM runs in JavaScript: a block of a few hundred fills
 * keeps its event loop busy for a noticeable time, which inside the platform process would stall the API, the
 * indexer and the workers with it. So `npm start` forks `carbon embedded-chain`, which starts the node, deploys the
 * platform, seeds the demo data, buries it under the confirmation depth, switches to interval mining and reports
 * back over the IPC channel; the platform then talks to it over JSON-RPC like to any other node.
 *
 * Lifetime: the parent stops the child in its `services` shutdown phase (SIGTERM). The child ignores SIGINT
 * (Ctrl-C reaches the whole process group; the parent orders the shutdown) and exits by itself when the IPC
 * channel closes, so a parent killed outright never leaves an orphaned node holding the port.
 */
import { fork } from "node:child_process";
import path from "node:path";
import type { Deployment } from "../indexer/types";
import type { Logger } from "../logger";
import { type DemoWallet, seedChain } from "./demo";

export type ChainProcessOptions = {
  port: number;
  blockTimeMs: number;
  threshold: number;
  /** Empty blocks mined over the demo transactions before interval mining starts. */
  confirmations: number;
};

export type ChainProcess = { rpcUrl: string; deployment: Deployment; wallets: DemoWallet[]; pid: number; close(): Promise<void> };

type Message =
  | { type: "ready"; rpcUrl: string; deployment: Deployment; wallets: DemoWallet[] }
  | { type: "failed"; message: string };

const CARBON_BIN = path.resolve(__dirname, "..", "..", "..", "bin", "carbon.js");
const STOP_TIMEOUT_MS = 10_000;

/** Forks the chain process and resolves once it is deployed, seeded and mining. */
export function startChainProcess(options: ChainProcessOptions, logger: Logger): Promise<ChainProcess> {
  const child = fork(CARBON_BIN, ["embedded-chain", JSON.stringify(options)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stopping = false;
  const close = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<ChainProcess>((resolve, reject) => {
    child.once("message", (message: Message) => {
      if (message.type === "failed") {
        reject(new Error(`embedded chain: ${message.message}`));
        return;
      }
      void exited.then((code) => {
        if (!stopping) logger.error({ code }, "the embedded chain process exited; the platform has no chain now");
      });
      resolve({ rpcUrl: message.rpcUrl, deployment: message.deployment, wallets: message.wallets, pid: child.pid ?? 0, close });
    });
    void exited.then((code) => reject(new Error(`embedded chain process exited with ${code} before it was ready`)));
  });
}

/** The child's side (`carbon embedded-chain <options json>`). */
export async function runChainProcess(options: ChainProcessOptions, logger: Logger): Promise<void> {
  const send = (message: Message) => process.send?.(message);
  process.on("SIGINT", () => undefined);
  try {
    // Loaded here, in the child only: the deployment code needs the compiled contracts, which `carbon start`
    // builds before it forks this process (platform/compile.ts).
    const { startEmbeddedChain } = await import("./embeddedChain");
    const chain = await startEmbeddedChain({ port: options.port, blockTimeMs: options.blockTimeMs, threshold: options.threshold, logger });
    const stop = () => void chain.close().finally(() => process.exit(0));
    process.once("SIGTERM", stop);
    process.once("disconnect", stop);
    const { wallets } = await seedChain(chain);
    // Bury the demo transactions under the confirmation depth, so the platform's first index sync shows them
    // (under automine no block would follow them otherwise).
    await chain.mineBlocks(options.confirmations);
    await chain.startMining();
    send({ type: "ready", rpcUrl: chain.node.url, deployment: { ...chain.deployment, deployBlock: Number(chain.deployment.deployBlock) }, wallets });
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}
