/**
 * A registry worker process's parts: the guard (shared rate limit, breaker, on-chain pause through the guardian
 * key) and one queue worker running the `retire` / `withdraw` handlers plus any extra kinds (e.g. the deposit
 * flow's `immobilize`). Used by `carbon worker` and by the embedded platform.
 *
 * Circuit probe: a breaker only closes after a successful half-open trial call, and with no job due for that
 * registry no call would ever come (the registry would stay paused on-chain, so no new request could make one).
 * While a circuit is half-open the runner makes the trial itself: one memo lookup, cheap and read-only.
 */
import type { Context } from "../context";
import { type BridgePauser, type CreateBridgePauserParameters, createBridgePauser } from "../guard/bridgePauser";
import { type RegistryGuard, type RegistryGuardConfig, createRegistryGuard } from "../guard/registryGuard";
import type { BackoffParameters } from "../queue/jobs";
import { type JobHandler, type Worker, createWorker } from "../queue/worker";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import { REQUEST_JOB_KINDS } from "../requests/dispatch";
import { createRequestHandlers } from "./handlers";

/** Memo of the circuit probe's lookup: never a request id (those are 0x hashes), so it matches nothing. */
export const PROBE_MEMO = "carbon-circuit-probe";

type WorkerContext = Pick<Context, "db" | "logger" | "metrics" | "readiness" | "shutdown">;

export type CreateWorkerGuardParameters = {
  registries: Partial<Record<RegistryName, RegistryGuardConfig>>;
  /** When given, an opening breaker pauses the registry on RegistryBridge and a closing one unpauses it. */
  guardian?: Omit<CreateBridgePauserParameters, "logger"> | undefined;
  /** `configure` (default): this process sets the shared buckets' limits; `join`: it only creates missing buckets. */
  buckets?: "configure" | "join";
};

export type WorkerGuard = { guard: RegistryGuard; pauser: BridgePauser | undefined };

/** The registry guard of a worker process (buckets created / updated), with the bridge pauser when a guardian is given. */
export async function createWorkerGuard(ctx: WorkerContext, parameters: CreateWorkerGuardParameters): Promise<WorkerGuard> {
  const pauser =
    parameters.guardian === undefined
      ? undefined
      : createBridgePauser({ ...parameters.guardian, logger: ctx.logger });
  const guard = createRegistryGuard(ctx, { registries: parameters.registries, hooks: pauser });
  await guard.init({ buckets: parameters.buckets ?? "configure" });
  return { guard, pauser };
}

export type StartRegistryWorkersParameters = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: RegistryGuard;
  custodyAccount: string;
  /** Jobs run at the same time, default 4. */
  concurrency?: number;
  /** Extra job kinds and their handlers (e.g. `{ immobilize }` from the deposit flow). */
  handlers?: Record<string, JobHandler>;
  leaseMs?: number;
  pollMs?: number;
  backoff?: BackoffParameters;
  /** Reuse a custody listing this long, default 10 s. */
  holdingsMaxAgeMs?: number;
  /** How often half-open circuits are probed, default 1 s. */
  probeMs?: number;
  workerId?: string;
};

export type RegistryWorkers = {
  worker: Worker;
  /** Stops claiming, lets jobs in flight finish (also registered as a `services` shutdown hook). */
  stop(): Promise<void>;
};

export async function startRegistryWorkers(
  ctx: WorkerContext,
  parameters: StartRegistryWorkersParameters,
): Promise<RegistryWorkers> {
  const { guard, adapters } = parameters;
  const logger = ctx.logger.child({ component: "registry-workers" });
  const requestHandlers = createRequestHandlers({
    adapters,
    guard,
    custodyAccount: parameters.custodyAccount,
    db: ctx.db.pool,
    holdingsMaxAgeMs: parameters.holdingsMaxAgeMs,
    leaseMs: parameters.leaseMs,
    logger: ctx.logger,
  });
  const table: Record<string, JobHandler> = {
    ...parameters.handlers,
    [REQUEST_JOB_KINDS.retirement]: requestHandlers.retire as JobHandler,
    [REQUEST_JOB_KINDS.withdrawal]: requestHandlers.withdraw as JobHandler,
  };
  const worker = createWorker(ctx, {
    kinds: Object.keys(table),
    concurrency: parameters.concurrency,
    leaseMs: parameters.leaseMs,
    pollMs: parameters.pollMs,
    backoff: parameters.backoff,
    workerId: parameters.workerId,
    name: "registry_worker",
    skipRegistries: () => guard.registries().filter((registry) => guard.circuit(registry) === "open"),
    handler: (job, context) => {
      const handler = table[job.kind];
      if (handler === undefined) throw new Error(`no handler for job kind ${job.kind}`);
      return handler(job, context);
    },
  });

  let probing = false;
  const probe = setInterval(() => {
    if (probing) return;
    probing = true;
    const trials = guard
      .registries()
      .filter((registry) => guard.circuit(registry) === "half_open" && adapters[registry] !== undefined)
      .map((registry) =>
        guard
          .guardedCall(registry, () => (adapters[registry] as RegistryPort).findOperationByMemo(PROBE_MEMO))
          .then(() => logger.info({ registry }, "circuit probe answered"))
          .catch((error) => logger.debug({ registry, err: error }, "circuit probe failed")),
      );
    void Promise.all(trials).finally(() => (probing = false));
  }, parameters.probeMs ?? 1_000);
  probe.unref();

  await worker.start();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      clearInterval(probe);
      await worker.stop();
      await guard.settled();
    })();
    return stopped;
  };
  ctx.shutdown.register("services", "registry_workers", stop);
  logger.info(
    { kinds: Object.keys(table), registries: Object.keys(adapters), concurrency: parameters.concurrency ?? 4 },
    "registry workers started",
  );
  return { worker, stop };
}
