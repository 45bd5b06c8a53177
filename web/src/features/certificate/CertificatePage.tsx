/** Certificate: everything the certificate states, the PDF, and the hashes that tie it to the chain. */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { Facts, Hash, Notice, Page, Panel, When, errorText } from "../../components/ui";
import { api } from "../../lib/api";
import { formatCount } from "../../lib/format";
import type { Certificate } from "../../lib/types";

const na = "not stated by the registry";
const match = (value: boolean | null) => (value === true ? " (matches the hash attested on chain)" : value === false ? " (DOES NOT match the hash attested on chain)" : "");

export function CertificatePage() {
  const { requestId = "" } = useParams();
  const query = useQuery({ queryKey: ["certificate", requestId], queryFn: () => api<Certificate>(`/certificates/${requestId}`) });
  const c = query.data;
  if (query.isError) return <Page title="Certificate"><Notice kind="error">{errorText(query.error)}</Notice></Page>;
  if (c === undefined) return <Page title="Certificate"><p aria-busy="true">Loading…</p></Page>;
  return (
    <Page title={c.title} intro={c.statement}>
      <p>
        <a href={c.pdfUrl} download={`certificate-${c.certificateId.slice(0, 10)}.pdf`}>
          Download the PDF
        </a>{" "}
        (SHA-256 <code aria-label="PDF SHA-256">{c.pdfSha256}</code>) · <Link to={`/verify/${c.certificateId}?record=${c.onChainRecordSha256}`}>Verify it publicly</Link>
      </p>
      <Panel title="What was retired">
        <Facts
          label="Certificate"
          items={[
            ["Registry", c.registry.name],
            ["Project", `${c.project.registryProjectId ?? na}${c.project.name === null ? "" : ` - ${c.project.name}`}`],
            ["Project type / methodology", [c.project.type, c.project.methodology].filter(Boolean).join(" / ") || na],
            ["Country", c.project.country ?? na],
            ["Vintage", c.vintage.start === null ? na : `${c.vintage.start} to ${c.vintage.end ?? "?"}`],
            ["Serial range", `${c.serialRange.serial ?? "not yet reported by the registry"}${match(c.serialRange.matchesOnChainHash)}`],
            ["Quantity", `${formatCount(c.quantity)} ${c.unit.name ?? "units"}${c.unit.metric === null ? "" : ` (${formatCount(c.quantity)} ${c.unit.metric})`}`],
            ["Beneficiary", c.beneficiary],
            ["Reason", c.reason],
            ["Registry retirement reference", `${c.registryRetirementReference.reference ?? "not yet reported"}${match(c.registryRetirementReference.matchesOnChainHash)}`],
            ["Registry status", c.registryStatus ?? "-"],
            ["Requested", <When key="r" at={c.dates.requestedAt} />],
            ["Sent to the registry", <When key="s" at={c.dates.sentToRegistryAt} />],
            ["Retired at the registry", <When key="a" at={c.dates.retiredAtRegistry} />],
            ["Confirmed on chain", <When key="c" at={c.dates.confirmedOnChainAt} />],
            ["Holder", c.holder],
          ]}
        />
      </Panel>
      <Panel title="On-chain proof">
        <Facts
          label="On-chain proof"
          items={[
            ["Chain / bridge", `${c.onChainProof.chainId} / ${c.onChainProof.registryBridge}`],
            ["Confirmation transaction", <Hash key="t" value={c.onChainProof.transactionHash} />],
            ["Block / log", `${c.onChainProof.blockNumber} / ${c.onChainProof.logIndex}`],
            ["Block time (chain clock)", <When key="b" at={c.onChainProof.blockTimestamp} />],
            ["Attested by", `${c.onChainProof.attestedBy.signers.length} of ${c.onChainProof.attestedBy.oracleSetSize ?? "?"} oracles (quorum ${c.onChainProof.attestedBy.threshold ?? "?"})`],
            ["SHA-256 of the on-chain record", <code key="r" aria-label="On-chain record SHA-256">{c.onChainRecordSha256}</code>],
          ]}
        />
      </Panel>
    </Page>
  );
}
