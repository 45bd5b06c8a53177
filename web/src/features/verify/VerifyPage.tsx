/** Public verification (no login): a certificate id, a PDF hash or the PDF itself; every check re-done and shown. */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { Field, Notice, Page, Panel, Table, errorText } from "../../components/ui";
import { api } from "../../lib/api";
import type { Verification } from "../../lib/types";

const GROUPS: Record<string, string> = { chain: "On chain", record: "On-chain record", registry: "Registry", pdf: "PDF" };

async function sha256OfFile(file: File): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function VerifyPage() {
  const { certificateId } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [input, setInput] = useState(certificateId ?? params.get("pdf") ?? "");
  const [error, setError] = useState<string>();
  const pdf = params.get("pdf") ?? undefined;
  const record = params.get("record") ?? undefined;
  const target = certificateId ?? (pdf !== undefined ? `pdf:${pdf}` : undefined);
  const query = useQuery({
    queryKey: ["verification", target, record],
    enabled: target !== undefined,
    queryFn: () => {
      if (certificateId !== undefined) {
        const q = new URLSearchParams(Object.entries({ record, pdf }).filter(([, v]) => v !== undefined) as Array<[string, string]>).toString();
        return api<Verification>(`/certificates/${certificateId}/verification${q === "" ? "" : `?${q}`}`, { auth: false });
      }
      return api<Verification>(`/certificate-documents/${pdf}/verification`, { auth: false });
    },
  });

  function check(value: string) {
    const text = value.trim().toLowerCase();
    if (/^0x[0-9a-f]{64}$/.test(text)) {
      setError(undefined);
      navigate(`/verify/${text}`);
    } else if (/^[0-9a-f]{64}$/.test(text)) {
      setError(undefined);
      navigate(`/verify?pdf=${text}`);
    } else {
      setError("Paste a certificate id (0x and 64 hex digits) or the SHA-256 of a certificate PDF (64 hex digits)");
    }
  }

  const v = query.data;
  return (
    <Page title="Verify a retirement certificate" intro="Anyone can check a certificate here, without an account: the chain and the registry are read again and every check is shown.">
      <form aria-label="Certificate to verify" onSubmit={(event) => { event.preventDefault(); check(input); }}>
        <Field label="Certificate id or PDF SHA-256" value={input} onChange={(e) => setInput(e.target.value)} error={error} spellCheck={false} />
        <button type="submit">Verify</button>
        <Field
          label="Or choose the certificate PDF"
          type="file"
          accept="application/pdf"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file !== undefined) void sha256OfFile(file).then((hash) => navigate(`/verify${certificateId === undefined ? "" : `/${certificateId}`}?pdf=${hash}`));
          }}
        />
      </form>
      {query.isError ? <Notice kind="error">Not verified: {errorText(query.error)}</Notice> : null}
      {query.isLoading ? <p aria-busy="true">Reading the chain and the registry…</p> : null}
      {v === undefined ? null : (
        <Panel title={v.verdict === "VERIFIED" ? "Verified" : "Not verified"}>
          <Notice kind={v.verdict === "VERIFIED" ? "success" : "error"}>
            {v.verdict === "VERIFIED" ? "Every check passed" : `${v.checks.filter((c) => !c.ok).length} check(s) failed`} for certificate {v.certificateId}.
          </Notice>
          <Table
            caption="Checks"
            columns={["Where", "Check", "Result", "Detail"]}
            rows={v.checks.map((c) => [GROUPS[c.group] ?? c.group, c.label, c.ok ? "passed" : "FAILED", <span key="d" className="detail">{c.detail}</span>])}
          />
        </Panel>
      )}
    </Page>
  );
}
