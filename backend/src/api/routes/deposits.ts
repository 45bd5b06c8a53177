/**
 * Deposit intents (docs/deposits.md): a signed-in wallet declares the registry block it will move into the
 * platform's custody account; the answer carries the memo (the intent id) to put on that registry transfer. The
 * arrival watcher (deposits/watcher.ts) moves the intent on from there; these routes only create and show it.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import type { Address } from "viem";
import { z } from "zod";
import { DEFAULT_INTENT_TTL_MS, INTENT_STATUSES, instructionsFor, newIntentId } from "../../deposits/intent";
import { type DepositIntent, getIntent, insertIntent, listIntents } from "../../deposits/store";
import { ValidationError } from "../../errors";
import { REGISTRY_CLI_NAMES, REGISTRY_IDS, type RegistryName } from "../../registries/ids";
import { parseSerial } from "../../registries/serials";
import {
  CURSOR_HEX32,
  CURSOR_TIME,
  authErrors,
  bytes32,
  bytes32Param,
  checksum,
  decodeCursor,
  errors,
  notFound,
  page,
  pageQuery,
  replyError,
  timestamp,
  text,
  toPage,
  uint256,
} from "../http";
import auth, { requireOperator, requireWallet, walletOf } from "../plugins/app/auth";
import { walletVerification } from "../queries/identity";
import { errorBody } from "../schemas";

/** Operator scope that may read any holder's intent. */
export const DEPOSITS_READ_SCOPE = "deposits:read";

const intentBody = z.object({
  intentId: bytes32.describe("The memo to put on the registry transfer; also the on-chain depositId"),
  memo: z.string().describe("Same as intentId"),
  holder: z.string().describe("checksummed 0x address the credits are minted to"),
  registry: z.string(),
  custodyAccount: z.string().describe("The platform's custody account at the registry"),
  declaredSerial: z.string(),
  declaredStart: z.string().describe("First unit of the declared range"),
  declaredEnd: z.string().describe("Last unit of the declared range"),
  sourceAccount: z.string().nullable(),
  status: z.enum(INTENT_STATUSES),
  statusDetail: z.string().nullable().describe("Why it was rejected or expired, or what it waits for"),
  recordId: z.string().nullable().describe("The registry record in custody, once arrived"),
  serialPrefix: z.string().nullable(),
  blockStart: z.string().nullable().describe("First unit that arrived (a part of the declared range)"),
  blockEnd: z.string().nullable(),
  quantity: z.string().nullable(),
  batchId: uint256.nullable().describe("Token id the deposit mints"),
  mintTxHash: bytes32.nullable(),
  expiresAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
  instructions: z.string(),
});
type IntentBody = z.infer<typeof intentBody>;

const postIntentBody = z.object({
  registry: text().min(1).max(40).describe("VERRA, GOLD_STANDARD, IN_CCTS (or gold-standard, in-ccts)"),
  serial: text().min(1).max(300).describe("The registry serial of the block, with its unit range"),
  sourceAccount: text().min(1).max(200).optional().describe("The holder's account at the registry (informative)"),
});

export type DepositRoutesOptions = {
  pool: Pool;
  /** The platform's custody account (config.registries.custodyAccount). */
  custodyAccount: string;
  /** Registries with an adapter: only their blocks can be watched and immobilized. */
  registries: readonly RegistryName[];
  /** How long the holder has for the registry transfer, default 24 h. */
  intentTtlMs?: number | undefined;
  /** Refuse wallets the indexed IdentityRegistry does not verify (default true). */
  requireKyc?: boolean | undefined;
  now?: () => Date;
};

const decimalText = (value: bigint | null) => (value === null ? null : value.toString());

function intentView(intent: DepositIntent, custodyAccount: string): IntentBody {
  return {
    intentId: intent.intentId,
    memo: intent.intentId,
    holder: checksum(intent.holder),
    registry: intent.registry,
    custodyAccount,
    declaredSerial: intent.declaredSerial,
    declaredStart: decimalText(intent.declaredStart) ?? "",
    declaredEnd: decimalText(intent.declaredEnd) ?? "",
    sourceAccount: intent.sourceAccount,
    status: intent.status,
    statusDetail: intent.statusDetail,
    recordId: intent.recordId,
    serialPrefix: intent.serialPrefix,
    blockStart: decimalText(intent.blockStart),
    blockEnd: decimalText(intent.blockEnd),
    quantity: decimalText(intent.quantity),
    batchId: intent.batchId,
    mintTxHash: intent.mintTxHash,
    expiresAt: intent.expiresAt.toISOString(),
    createdAt: intent.createdAt.toISOString(),
    updatedAt: intent.updatedAt.toISOString(),
    instructions: instructionsFor({
      intentId: intent.intentId,
      registry: intent.registry,
      custodyAccount,
      serial: intent.declaredSerial,
    }),
  };
}

/** The registry name of `input` if it is one this deployment serves, else a ValidationError naming the options. */
function servedRegistry(input: string, served: readonly RegistryName[]): RegistryName {
  const name = (input in REGISTRY_IDS ? input : REGISTRY_CLI_NAMES[input]) as RegistryName | undefined;
  const options = served.length === 0 ? "none" : served.join(", ");
  if (name === undefined)
    throw new ValidationError("body.registry", `unknown registry ${JSON.stringify(input)}; served here: ${options}`);
  if (!served.includes(name))
    throw new ValidationError("body.registry", `${name} is not served by this deployment; served here: ${options}`);
  return name;
}

/** The declared block: a serial of `registry` with a unit range (I-REC items and range-less serials have none). */
function declaredBlock(serial: string, registry: RegistryName) {
  if (registry === "IREC") {
    throw new ValidationError(
      "body.serial",
      "I-REC certificates carry no unit range; they cannot be deposited (see docs/deposits.md)",
    );
  }
  let parsed;
  try {
    parsed = parseSerial({ serial, registry });
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError("body.serial", error.message);
    throw error;
  }
  if (parsed.blockStart === undefined || parsed.blockEnd === undefined) {
    throw new ValidationError(
      "body.serial",
      `${parsed.serial} carries no unit range; declare the serial with its range (start-end)`,
    );
  }
  return {
    serial: parsed.serial,
    prefix: parsed.serialPrefix,
    blockStart: parsed.blockStart,
    blockEnd: parsed.blockEnd,
  };
}

const depositRoutes: FastifyPluginAsyncZod<DepositRoutesOptions> = async (app, options) => {
  const { pool, custodyAccount } = options;
  const now = options.now ?? (() => new Date());
  const ttlMs = options.intentTtlMs ?? DEFAULT_INTENT_TTL_MS;
  const requireKyc = options.requireKyc ?? true;
  // `request.principal` comes from the auth plugin; register it here unless a parent (the domain API) did.
  if (!app.hasRequestDecorator("principal")) await app.register(auth);
  const wallet = requireWallet(pool);
  const operator = requireOperator(pool, DEPOSITS_READ_SCOPE);

  app.post(
    "/deposits/intents",
    {
      schema: {
        tags: ["deposits"],
        summary: "Declare a deposit: the block you will transfer into the platform's custody account",
        description:
          "Needs a SIWE session of a KYC-verified wallet. Answers the intent id: put it as the memo of the registry " +
          "transfer into `custodyAccount`. 409 when the range is already tokenized, being deposited, or claimed by " +
          "another open intent.",
        body: postIntentBody,
        response: {
          201: intentBody,
          409: errorBody.describe("The range overlaps a deposit or an open intent"),
          ...authErrors,
          ...errors,
        },
      },
      preHandler: wallet,
    },
    async (request, reply) => {
      const holder: Address = walletOf(request).address;
      const registry = servedRegistry(request.body.registry, options.registries);
      const block = declaredBlock(request.body.serial, registry);
      if (requireKyc) {
        const kyc = await walletVerification(pool, holder, now());
        if (!kyc.verified) return replyError(reply, 403, "forbidden", `Wallet ${holder} cannot receive deposits: ${kyc.reason}`);
      }
      const intentId = newIntentId(holder, registry, block.serial);
      const result = await insertIntent(pool, {
        intentId,
        holder,
        registry,
        declaredSerial: block.serial,
        declaredPrefix: block.prefix,
        declaredStart: block.blockStart,
        declaredEnd: block.blockEnd,
        sourceAccount: request.body.sourceAccount,
        custodyAccount,
        expiresAt: new Date(now().getTime() + ttlMs),
      });
      if ("conflict" in result) return replyError(reply, 409, "conflict", `body.serial: ${result.conflict}`);
      request.log.info({ intentId, registry, holder }, "deposit intent declared");
      return reply.code(201).send(intentView(result.created, custodyAccount));
    },
  );

  app.get(
    "/deposits/intents",
    {
      schema: {
        tags: ["deposits"],
        summary: "The signed-in wallet's deposit intents, newest first",
        querystring: pageQuery,
        response: { 200: page(intentBody), ...authErrors, ...errors },
      },
      preHandler: wallet,
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor, [CURSOR_TIME, CURSOR_HEX32]);
      const rows = await listIntents(pool, {
        holder: walletOf(request).address,
        after,
        limit,
      });
      return toPage(
        rows,
        limit,
        (row) => intentView(row, custodyAccount),
        (row) => [row.createdAt.toISOString(), row.intentId],
      );
    },
  );

  app.get(
    "/deposits/intents/:intentId",
    {
      schema: {
        tags: ["deposits"],
        summary: "One deposit intent: status, arrived record and range, batch, mint transaction",
        description: `The holder's own (SIWE session) or any, for an operator key with scope ${DEPOSITS_READ_SCOPE}.`,
        params: z.object({ intentId: bytes32Param }),
        response: { 200: intentBody, ...notFound, ...authErrors, ...errors },
      },
      // An API key selects the operator guard; anything else must be a wallet session.
      preHandler: async (request, reply) =>
        (request.headers["x-api-key"] === undefined ? wallet : operator).call(app, request, reply),
    },
    async (request, reply) => {
      const row = await getIntent(pool, request.params.intentId);
      const principal = request.principal;
      const mine = principal?.kind === "wallet" && row !== undefined && checksum(row.holder) === principal.address;
      if (row === undefined || !(mine || principal?.kind === "operator")) {
        // Another wallet's intent answers like a missing one: its id is that holder's memo.
        return replyError(reply, 404, "not_found", `Deposit intent ${request.params.intentId} not found`);
      }
      return intentView(row, custodyAccount);
    },
  );
};

export default depositRoutes;
