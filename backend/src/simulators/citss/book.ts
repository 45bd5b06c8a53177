import { SimError } from "../core/types";
import { parseInstrumentKey, type Instrument } from "./instruments";
import type { AccountKind, Endpoint, JurisdictionAccountKind } from "./transfer-rules";

/**
 * CITSS entities, their accounts and what each account holds (COMPLIANCE_REGISTRIES.md §2.1). Holdings are
 * quantities per instrument (instruments.ts) per account, split into available and reserved (committed to a
 * transfer not yet approved). Every executed move is appended to `movements`, the source of the statements.
 *
 * Account ids are `{entityId}/{kind}` (`CA1001/GENERAL`; CITSS's own account number format is not published [U])
 * and `JURISDICTION/{kind}` for the jurisdiction accounts the simulator keeps (one set for the linked market [sim]).
 */
export type Jurisdiction = "CA" | "QC";
export type EntityType = "COVERED_ENTITY" | "OPT_IN_COVERED_ENTITY" | "VOLUNTARILY_ASSOCIATED_ENTITY";
export type RepresentativeRole = "PAR" | "AAR" | "AVA";

export type Entity = {
  id: string;
  jurisdiction: Jurisdiction;
  name: string;
  entityType: EntityType;
  arbGhgId?: string | undefined;
  holdingLimitExempt: boolean;
  accounts: AccountKind[];
  representatives: Map<string, RepresentativeRole>;
  /** Verified emissions per year (tCO2e), as reported under MRR; the admin route stands in for the report. */
  emissions: Map<number, bigint>;
};

export const JURISDICTION_ACCOUNTS: readonly JurisdictionAccountKind[] = ["AUCTION", "RETIREMENT", "INVALIDATION", "FOREST_BUFFER"];
/** Where the Executive Officer puts instruments retired for compliance [sim: the CIR counts them in Retirement]. */
export const COMPLIANCE_RETIRED = "JURISDICTION/COMPLIANCE_RETIRED";

export type MovementKind = "ISSUANCE" | "TRANSFER" | "COMPLIANCE_SURRENDER" | "VOLUNTARY_RETIREMENT" | "CONSIGNMENT" | "INVALIDATION" | "BUFFER_CONTRIBUTION";

export type Movement = {
  id: number;
  at: Date;
  kind: MovementKind;
  fromAccount?: string | undefined;
  toAccount: string;
  instrument: string;
  quantity: bigint;
  transferId?: string | undefined;
  obligationId?: string | undefined;
  price?: string | undefined;
  reference?: string | undefined;
};

export type Holding = { available: bigint; reserved: bigint };

export function accountId(entityId: string, kind: AccountKind | JurisdictionAccountKind): string {
  return `${entityId}/${kind}`;
}

export class HoldingsBook {
  readonly entities = new Map<string, Entity>();
  readonly holdings = new Map<string, Map<string, Holding>>();
  readonly movements: Movement[] = [];
  private readonly counters: Record<Jurisdiction, number>;

  constructor(firstEntityNumber: number) {
    this.counters = { CA: firstEntityNumber, QC: firstEntityNumber };
  }

  addEntity(fields: Omit<Entity, "id" | "representatives" | "emissions" | "accounts"> & { limitedUse?: boolean; exchangeClearing?: boolean }): Entity {
    const number = this.counters[fields.jurisdiction]++;
    const accounts: AccountKind[] = ["GENERAL", "COMPLIANCE"];
    if (fields.limitedUse === true) accounts.push("LIMITED_USE");
    if (fields.exchangeClearing === true) accounts.push("EXCHANGE_CLEARING");
    const entity: Entity = {
      id: `${fields.jurisdiction}${number}`,
      jurisdiction: fields.jurisdiction,
      name: fields.name,
      entityType: fields.entityType,
      arbGhgId: fields.arbGhgId,
      holdingLimitExempt: fields.holdingLimitExempt,
      accounts,
      representatives: new Map(),
      emissions: new Map(),
    };
    this.entities.set(entity.id, entity);
    return entity;
  }

  entity(id: string, field = "entityId"): Entity {
    const entity = this.entities.get(id);
    if (entity === undefined) throw new SimError(404, "ENTITY_NOT_FOUND", `${field}: no entity ${id}`);
    return entity;
  }

  /** The endpoint an account id names; 400/404 naming `field` otherwise. */
  endpoint(id: string, field: string): Endpoint {
    const match = /^([A-Z]{2}[0-9]{4}|JURISDICTION)\/([A-Z_]+)$/.exec(id);
    if (match === null) throw new SimError(400, "INVALID_ACCOUNT", `${field}: ${JSON.stringify(id)} is not an account id such as CA1001/GENERAL`);
    const [, owner = "", kind = ""] = match;
    if (owner === "JURISDICTION") {
      if (!(JURISDICTION_ACCOUNTS as readonly string[]).includes(kind)) throw new SimError(404, "ACCOUNT_NOT_FOUND", `${field}: no jurisdiction account ${kind}`);
      return { entityId: "JURISDICTION", kind: kind as JurisdictionAccountKind };
    }
    const entity = this.entity(owner, field);
    if (!(entity.accounts as string[]).includes(kind)) throw new SimError(404, "ACCOUNT_NOT_FOUND", `${field}: ${entity.id} has no ${kind} account`);
    return { entityId: entity.id, kind: kind as AccountKind };
  }

  holdingsOf(account: string): Map<string, Holding> {
    let found = this.holdings.get(account);
    if (found === undefined) {
      found = new Map();
      this.holdings.set(account, found);
    }
    return found;
  }

  holding(account: string, key: string): Holding {
    const holdings = this.holdingsOf(account);
    let found = holdings.get(key);
    if (found === undefined) {
      found = { available: 0n, reserved: 0n };
      holdings.set(key, found);
    }
    return found;
  }

  /** Instruments (available + reserved) in the accounts, as instruments with quantities. */
  positions(accounts: readonly string[]): Array<{ key: string; instrument: Instrument; quantity: bigint }> {
    const out: Array<{ key: string; instrument: Instrument; quantity: bigint }> = [];
    for (const account of accounts) {
      for (const [key, holding] of this.holdingsOf(account)) {
        const quantity = holding.available + holding.reserved;
        if (quantity > 0n) out.push({ key, instrument: parseInstrumentKey(key), quantity });
      }
    }
    return out;
  }

  reserve(account: string, key: string, quantity: bigint, field: string): void {
    const holding = this.holding(account, key);
    if (holding.available < quantity) throw new SimError(422, "INSUFFICIENT_INSTRUMENTS", `${field}: ${account} holds ${holding.available} available ${key}, fewer than ${quantity}`);
    holding.available -= quantity;
    holding.reserved += quantity;
  }

  release(account: string, key: string, quantity: bigint): void {
    const holding = this.holding(account, key);
    holding.reserved -= quantity;
    holding.available += quantity;
  }

  /** Moves units between accounts and records the movement; `fromReserved` takes them from the reserved part. */
  move(params: Omit<Movement, "id" | "at"> & { at: Date; fromReserved?: boolean }): Movement {
    if (params.fromAccount !== undefined) {
      const source = this.holding(params.fromAccount, params.instrument);
      const part = params.fromReserved === true ? "reserved" : "available";
      if (source[part] < params.quantity) throw new SimError(409, "INSUFFICIENT_INSTRUMENTS", `${params.fromAccount} holds ${source[part]} ${part} ${params.instrument}, fewer than ${params.quantity}`);
      source[part] -= params.quantity;
    }
    this.holding(params.toAccount, params.instrument).available += params.quantity;
    const { fromReserved: _fromReserved, ...fields } = params;
    const movement: Movement = { ...fields, id: this.movements.length + 1 };
    this.movements.push(movement);
    return movement;
  }
}
