import { Command, InvalidArgumentError } from "commander";
import { REGISTRY_CLI_NAMES } from "../registries/ids";
import { ALLOWANCE_SIMULATOR_NAMES, isAllowanceSimulatorName, type AllowanceSimulatorName } from "../simulators/names";

const SIMULATOR_NAMES = [...Object.keys(REGISTRY_CLI_NAMES), ...ALLOWANCE_SIMULATOR_NAMES];

function milliseconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return parsed;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError("expected a port number 0-65535");
  return parsed;
}

/** `carbon simulate <registry> --port N`: runs one registry simulator until Ctrl-C. Seed it through `/_admin`. */
export function simulateCommand(): Command {
  return new Command("simulate")
    .description("Run a registry simulator (state in memory; seed and flip knobs via /_admin, see backend/src/simulators/README.md)")
    .argument("<registry>", `one of ${SIMULATOR_NAMES.join(", ")}`)
    .option("--port <port>", "port to listen on (0 picks a free one)", port, 0)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--webhook-url <url>", "deliver signed webhooks here")
    .option("--webhook-secret <secret>", "HMAC secret for webhooks", "dev-webhook-secret")
    .option("--confirm-delay-ms <ms>", "confirm accepted operations after this delay (default: at once)", milliseconds)
    .action(async (name: string, options: { port: number; host: string; webhookUrl?: string; webhookSecret: string; confirmDelayMs?: number }) => {
      const registry = REGISTRY_CLI_NAMES[name];
      if (registry === undefined && !isAllowanceSimulatorName(name)) throw new InvalidArgumentError(`unknown registry ${name}; expected one of ${SIMULATOR_NAMES.join(", ")}`);
      // Loaded here so that other commands do not pay for fastify at start-up.
      const { startSimulator, startAllowanceSimulator } = await import("../simulators");
      const running =
        registry === undefined
          ? // UK ETS and CITSS have no webhooks or confirmation knob: representatives act, files tell.
            await startAllowanceSimulator(name as AllowanceSimulatorName, { port: options.port, host: options.host })
          : await startSimulator(registry, {
              port: options.port,
              host: options.host,
              webhook: options.webhookUrl === undefined ? undefined : { url: options.webhookUrl, secret: options.webhookSecret },
              knobs: options.confirmDelayMs === undefined ? undefined : { confirmation: { mode: "delay", delayMs: options.confirmDelayMs } },
            });
      process.stdout.write(`${name} simulator listening on ${running.url} (admin: ${running.url}/_admin/state)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await running.close();
    });
}
