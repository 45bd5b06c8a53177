export { type Certificate, type OnChainRecord, buildCertificate, onChainRecordJson, sha256Hex } from "./certificate";
export { findDocument, recordDocument } from "./documents";
export { renderCertificatePdf } from "./pdf";
export { type CertificateSources, loadCertificateSources } from "./sources";
export { type RequestTimeline, buildTimeline } from "./timeline";
export { type CertificateCheck, type CertificateVerification, verifyCertificateRecord } from "./verify";
export { type CertificateService, type CreateCertificateServiceParameters, createCertificateService } from "./service";
