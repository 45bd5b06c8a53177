/**
 * Fiat payment sources an oracle node reads for a deal's FIAT_PAYMENT_RECEIVED condition (docs/oracle.md): the
 * port, the bank statement adapter, and the rule deciding which credits pay a deal.
 */
export type { PaymentCredit, PaymentPort } from "./port";
export { createBankStatementAdapter, type CreateBankStatementAdapterParameters } from "./bank";
export { paidBy, paymentEvidenceOf, type PaidByParameters, type PaidByReturnType } from "./credits";
export { PaymentSourceProtocolError, PaymentSourceRejectedError, PaymentSourceUnavailableError } from "./errors";
