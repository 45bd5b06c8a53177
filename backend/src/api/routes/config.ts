/**
 * `GET /config`: everything a client needs to talk to this deployment without reading the repository: the chain
 * and the RPC URL a wallet should use, the contract addresses, the payment tokens with their decimals, the EIP-712
 * domains, types and type strings of what wallets sign, the fee terms as Settlement holds them now, the registries
 * with their status, and the oracle quorum. Chain facts that do not change (token decimals) are read once; the fee
 * is read from Settlement on each call (kept 5 s), since an admin can change it.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { type Address, type PublicClient, erc20Abi } from "viem";
import { z } from "zod";
import { attestationTypes, bridgeDomain } from "../../chain/attestations";
import { settlementAbi } from "../../chain/abi";
import { dealConditionAttestedTypes, dealTypes, orderTypes, settlementDomain } from "../../chain/orders";
import type { Deployment } from "../../chain/deployment";
import { REGISTRY_IDS, type RegistryName } from "../../registries/ids";
import { REGISTRY_DISPLAY_NAMES } from "../../registries/projectInfo";
import { encodeType } from "../../../../sdk/src/eip712";
import type { RegistryStatusSource } from "../../registries/status";
import { errors, registryStatusView } from "../http";

export type ConfigRoutesOptions = {
  pool: Pool;
  deployment: Deployment;
  /** The JSON-RPC URL wallets should add (may differ from the one the platform uses inside). */
  publicRpcUrl: string;
  publicUrl: string;
  client: PublicClient;
  registryStatus: RegistryStatusSource;
  registries: readonly RegistryName[];
  siwe: { domain: string; chainId: number };
  custodyAccount: string;
};

const field = z.object({ name: z.string(), type: z.string() });
const domainBody = z.object({ name: z.string(), version: z.string(), chainId: z.number(), verifyingContract: z.string() });
const typedBody = z.object({
  domain: domainBody,
  types: z.record(z.string(), z.array(field)),
  typeStrings: z.record(z.string(), z.string()),
});

const configBody = z.object({
  chainId: z.number(),
  rpcUrl: z.string().describe("JSON-RPC URL for wallets (wallet_addEthereumChain)"),
  appUrl: z.string(),
  contracts: z.object({
    identityRegistry: z.string(),
    creditToken: z.string(),
    registryBridge: z.string(),
    settlement: z.string(),
  }),
  paymentTokens: z.array(z.object({ address: z.string(), symbol: z.string(), name: z.string(), decimals: z.number() })),
  eip712: z.object({ settlement: typedBody, registryBridge: typedBody }),
  fees: z.object({
    recipient: z.string(),
    feeBps: z.number().describe("Platform fee in basis points of the price, taken from the seller's proceeds"),
    rounding: z.string(),
  }),
  registries: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      number: z.number().describe("The registry's id in the contracts"),
      custodyAccount: z.string(),
      status: z.object({
        paused: z.boolean().nullable(),
        circuit: z.enum(["closed", "open", "half_open", "unknown"]),
        detail: z.string().optional(),
      }),
    }),
  ),
  oracles: z.object({ addresses: z.array(z.string()), threshold: z.number().nullable() }),
  siwe: z.object({ domain: z.string(), chainId: z.number(), statement: z.string() }),
});

const typeStrings = (types: Record<string, readonly { name: string; type: string }[]>) =>
  Object.fromEntries(Object.keys(types).map((name) => [name, encodeType(types, name)]));

const configRoutes: FastifyPluginAsyncZod<ConfigRoutesOptions> = async (app, options) => {
  const { deployment, client } = options;
  let tokens: Promise<z.infer<typeof configBody>["paymentTokens"]> | undefined;
  const paymentTokens = () => {
    tokens ??= (async () => {
      const address = deployment.paymentToken;
      if (address === undefined) return [];
      const read = <T>(functionName: "symbol" | "name" | "decimals") =>
        client.readContract({ address, abi: erc20Abi, functionName }) as Promise<T>;
      const [symbol, name, decimals] = await Promise.all([
        read<string>("symbol"),
        read<string>("name"),
        read<number>("decimals"),
      ]);
      return [{ address, symbol, name, decimals: Number(decimals) }];
    })();
    tokens.catch(() => (tokens = undefined));
    return tokens;
  };
  let fee: { at: number; value: Promise<{ recipient: string; feeBps: number }> } | undefined;
  const feeTerms = () => {
    if (fee === undefined || Date.now() - fee.at > 5_000) {
      const value = (
        client.readContract({ address: deployment.settlement, abi: settlementAbi, functionName: "fee" }) as Promise<
          readonly [Address, number]
        >
      ).then(([recipient, feeBps]) => ({ recipient, feeBps: Number(feeBps) }));
      fee = { at: Date.now(), value };
      value.catch(() => (fee = undefined));
    }
    return fee.value;
  };

  app.get(
    "/config",
    {
      schema: {
        tags: ["client"],
        summary: "Chain, contracts, payment tokens, EIP-712 domains and types, fees, registries: what a client needs",
        response: { 200: configBody, ...errors },
      },
    },
    async () => {
      const settlement = settlementDomain({ chainId: deployment.chainId, verifyingContract: deployment.settlement });
      const bridge = bridgeDomain({ chainId: deployment.chainId, verifyingContract: deployment.registryBridge });
      const settlementTypes = { ...orderTypes, ...dealTypes, ...dealConditionAttestedTypes };
      // attestationTypes is keyed by primary type, each with the structs it needs; flatten them into one set.
      const bridgeTypes = Object.assign({}, ...Object.values(attestationTypes)) as Record<
        string,
        readonly { name: string; type: string }[]
      >;
      const [tokenList, terms, statuses, oracleSet] = await Promise.all([
        paymentTokens(),
        feeTerms(),
        Promise.all(options.registries.map((id) => options.registryStatus.get(id))),
        options.pool.query<{ args: { oracles?: string[]; threshold?: string } }>(
          "SELECT args FROM chain_events WHERE event_name = 'OracleSetUpdated' " +
            "ORDER BY block_number DESC, log_index DESC LIMIT 1",
        ),
      ]);
      const set = oracleSet.rows[0]?.args;
      return {
        chainId: deployment.chainId,
        rpcUrl: options.publicRpcUrl,
        appUrl: options.publicUrl,
        contracts: {
          identityRegistry: deployment.identityRegistry,
          creditToken: deployment.creditToken,
          registryBridge: deployment.registryBridge,
          settlement: deployment.settlement,
        },
        paymentTokens: tokenList,
        eip712: {
          settlement: {
            domain: settlement as z.infer<typeof domainBody>,
            types: settlementTypes as never,
            typeStrings: typeStrings(settlementTypes),
          },
          registryBridge: {
            domain: bridge as z.infer<typeof domainBody>,
            types: bridgeTypes as never,
            typeStrings: typeStrings(bridgeTypes),
          },
        },
        fees: { ...terms, rounding: "fee = floor(amount * unitPrice * feeBps / 10000); the seller receives the rest" },
        registries: options.registries.map((id, index) => ({
          id,
          name: REGISTRY_DISPLAY_NAMES[id],
          number: REGISTRY_IDS[id],
          custodyAccount: options.custodyAccount,
          status: registryStatusView(statuses[index]!),
        })),
        oracles: { addresses: set?.oracles ?? [], threshold: set?.threshold === undefined ? null : Number(set.threshold) },
        siwe: { ...options.siwe, statement: "Sign in to the carbon custody platform" },
      };
    },
  );
};

export default configRoutes;
