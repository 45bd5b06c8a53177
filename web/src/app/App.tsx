/** The app: providers (TanStack Query, /config, wagmi, SIWE session), the layout and one route per page. */
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { Layout } from "../components/Layout";
import { AuditorPage } from "../features/auditor/AuditorPage";
import { CertificatePage } from "../features/certificate/CertificatePage";
import { ConsolePage } from "../features/console/ConsolePage";
import { DealsPage } from "../features/deals/DealsPage";
import { DepositsPage } from "../features/deposits/DepositsPage";
import { MarketPage } from "../features/market/MarketPage";
import { PortfolioPage } from "../features/portfolio/PortfolioPage";
import { RequestPage, RetirePage } from "../features/retire/RetirePage";
import { TradePage } from "../features/trade/TradePage";
import { VerifyPage } from "../features/verify/VerifyPage";
import { AppProviders } from "../lib/wallet";

// First path segments must stay in step with WEB_APP_SECTIONS (backend/src/api/routes/webApp.ts).
export function App() {
  return (
    <AppProviders>
      <BrowserRouter>
        <Layout>
          <Routes>
            <Route path="/" element={<Navigate to="/market" replace />} />
            <Route path="/market" element={<MarketPage />} />
            <Route path="/trade/:batchId" element={<TradePage />} />
            <Route path="/portfolio" element={<PortfolioPage />} />
            <Route path="/retire" element={<RetirePage />} />
            <Route path="/retire/:requestId" element={<RequestPage />} />
            <Route path="/certificate/:requestId" element={<CertificatePage />} />
            <Route path="/verify" element={<VerifyPage />} />
            <Route path="/verify/:certificateId" element={<VerifyPage />} />
            <Route path="/deposit" element={<DepositsPage />} />
            <Route path="/escrow" element={<DealsPage />} />
            <Route path="/auditor" element={<AuditorPage />} />
            <Route path="/console" element={<ConsolePage />} />
            <Route path="*" element={<p>No such page. <a href="/market">Go to the market</a></p>} />
          </Routes>
        </Layout>
      </BrowserRouter>
    </AppProviders>
  );
}
