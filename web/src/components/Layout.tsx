/** The frame of every page: skip link, navigation, the wallet connection and sign-in, and the page itself. */
import { type ReactNode, useState } from "react";
import { NavLink } from "react-router-dom";
import { useAccount, useConnect, useDisconnect, useSwitchChain } from "wagmi";
import { shortHex } from "../lib/format";
import { useClientConfig, useSession } from "../lib/wallet";

const NAV = [
  ["/market", "Market"],
  ["/portfolio", "Portfolio"],
  ["/retire", "Retire"],
  ["/deposit", "Deposits"],
  ["/escrow", "Deals"],
  ["/verify", "Verify"],
  ["/auditor", "Auditor"],
  ["/console", "Console"],
] as const;

function WalletControls() {
  const config = useClientConfig();
  const { address, chainId, isConnected } = useAccount();
  const { connectors, connect, error, isPending } = useConnect();
  const { disconnect } = useDisconnect();
  const { switchChain } = useSwitchChain();
  const session = useSession();
  const [open, setOpen] = useState(false);
  // EIP-6963 wallets announce themselves; the generic injected connector is the fallback for window.ethereum.
  const discovered = connectors.filter((c) => c.id !== "injected");
  const choices = discovered.length > 0 ? discovered : connectors;
  if (!isConnected || address === undefined) {
    // One button in one place whatever the wallets found (a structure that changes as EIP-6963 wallets announce
    // themselves would replace the button under the user's pointer).
    const connectOrChoose = () => (choices.length === 1 ? connect({ connector: choices[0]! }) : setOpen(!open));
    return (
      <div className="wallet">
        <button type="button" aria-expanded={choices.length > 1 ? open : undefined} onClick={connectOrChoose} disabled={isPending || choices.length === 0}>
          Connect wallet
        </button>
        {open && choices.length > 1 ? (
          <ul className="menu" aria-label="Wallets">
            {choices.map((connector) => (
              <li key={connector.uid}>
                <button type="button" onClick={() => connect({ connector })}>
                  {connector.name}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {error === null ? null : <span role="alert" className="error">{error.message}</span>}
        {choices.length === 0 ? <span>No browser wallet found: install one (see the start-up summary for a development wallet).</span> : null}
      </div>
    );
  }
  return (
    <div className="wallet">
      <span aria-label="Connected wallet" title={address}>{shortHex(address, 4)}</span>
      {chainId !== config.chainId ? (
        <button type="button" onClick={() => switchChain({ chainId: config.chainId })}>
          Switch to chain {config.chainId}
        </button>
      ) : session.signedIn ? (
        <button type="button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      ) : (
        <button type="button" onClick={() => void session.signIn()}>
          Sign in
        </button>
      )}
      <button type="button" onClick={() => disconnect()}>
        Disconnect
      </button>
      {session.signedIn ? <span className="badge">signed in</span> : null}
      {session.error === undefined ? null : <span role="alert" className="error">{session.error}</span>}
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <NavLink to="/market" className="brand">
          Carbon custody
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <WalletControls />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer>
        <p>Registries stay the legal truth for every credit; this platform holds tokenized credits on chain. Amounts are shown exactly, dates in your time zone and UTC.</p>
      </footer>
    </>
  );
}
