/**
 * Wallet and session: wagmi 3 with the injected connector (any EIP-1193 wallet, discovered through EIP-6963), the
 * chain taken from `GET /config`, TanStack Query for every server read, and Sign-In with Ethereum over the existing
 * `/auth` routes (viem/siwe builds the message; the wallet signs it; the session token lives in sessionStorage).
 */
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, createContext, useCallback, useContext, useMemo, useState } from "react";
import { type Hex, defineChain } from "viem";
import { createSiweMessage } from "viem/siwe";
import { WagmiProvider, createConfig, http, useAccount, usePublicClient, useSignMessage, useWalletClient } from "wagmi";
import { injected } from "wagmi/connectors";
import { api, sessionToken, setSessionToken } from "./api";
import type { ClientConfig } from "./types";

const ConfigContext = createContext<ClientConfig | undefined>(undefined);

export function useClientConfig(): ClientConfig {
  const config = useContext(ConfigContext);
  if (config === undefined) throw new Error("useClientConfig outside ConfigGate");
  return config;
}

function wagmiConfigFor(config: ClientConfig) {
  const chain = defineChain({
    id: config.chainId,
    name: `Carbon custody chain ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  return createConfig({ chains: [chain], connectors: [injected()], transports: { [chain.id]: http(config.rpcUrl) }, multiInjectedProviderDiscovery: true });
}

function ConfigGate({ children }: { children: ReactNode }) {
  const query = useQuery({ queryKey: ["config"], queryFn: () => api<ClientConfig>("/config"), staleTime: 30_000 });
  const wagmi = useMemo(() => (query.data === undefined ? undefined : wagmiConfigFor(query.data)), [query.data?.chainId, query.data?.rpcUrl]);
  if (query.isError) return <p role="alert">The platform's API cannot be reached: {String(query.error)}</p>;
  if (query.data === undefined || wagmi === undefined) return <p aria-busy="true">Loading the platform's configuration…</p>;
  return (
    <ConfigContext.Provider value={query.data}>
      <WagmiProvider config={wagmi}>
        <SessionProvider>{children}</SessionProvider>
      </WagmiProvider>
    </ConfigContext.Provider>
  );
}

export function AppProviders({ children }: { children: ReactNode }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } }));
  return (
    <QueryClientProvider client={client}>
      <ConfigGate>{children}</ConfigGate>
    </QueryClientProvider>
  );
}

type Session = { address: `0x${string}` | undefined; signedIn: boolean; signIn(): Promise<void>; signOut(): Promise<void>; error: string | undefined };
const SessionContext = createContext<Session | undefined>(undefined);

function SessionProvider({ children }: { children: ReactNode }) {
  const { address } = useAccount();
  const { signMessageAsync } = useSignMessage();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string>();
  const session = useQuery({
    queryKey: ["session", sessionToken()],
    queryFn: async () => (sessionToken() === null ? null : api<{ address: string }>("/auth/session").catch(() => null)),
  });
  const signedIn = address !== undefined && session.data?.address?.toLowerCase() === address.toLowerCase();
  const signIn = useCallback(async () => {
    if (address === undefined) return;
    setError(undefined);
    try {
      const nonce = await api<{ nonce: string; domain: string; chainId: number }>("/auth/nonce", { auth: false });
      const message = createSiweMessage({
        address,
        chainId: nonce.chainId,
        domain: nonce.domain,
        nonce: nonce.nonce,
        uri: window.location.origin,
        version: "1",
        statement: "Sign in to the carbon custody platform",
        issuedAt: new Date(),
      });
      const signature = await signMessageAsync({ message });
      const answer = await api<{ token: string }>("/auth/siwe", { body: { message, signature }, auth: false });
      setSessionToken(answer.token);
      await queryClient.invalidateQueries({ queryKey: ["session"] });
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }, [address, signMessageAsync, queryClient]);
  const signOut = useCallback(async () => {
    await api("/auth/logout", { method: "POST" }).catch(() => undefined);
    setSessionToken(null);
    await queryClient.invalidateQueries({ queryKey: ["session"] });
  }, [queryClient]);
  return <SessionContext.Provider value={{ address, signedIn, signIn, signOut, error }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside SessionProvider");
  return session;
}

export type SentCall = { hash: Hex; status: "success" | "reverted" };

/** Sends `{to, data}` from the connected wallet and waits for the receipt. */
export function useSendCall(): (call: { to: `0x${string}`; data: Hex }) => Promise<SentCall> {
  const { data: wallet } = useWalletClient();
  const client = usePublicClient();
  return useCallback(
    async (call) => {
      if (wallet === undefined || client === undefined) throw new Error("Connect a wallet first");
      const hash = await wallet.sendTransaction({ to: call.to, data: call.data, account: wallet.account, chain: wallet.chain });
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 500 });
      return { hash, status: receipt.status };
    },
    [wallet, client],
  );
}
