import type { RegistryName } from "../../registries/ids";
import { splitRange } from "../../registries/serials/range";
import {
  SimError,
  type SimAccount,
  type SimBlock,
  type SimEvent,
  type SimOperation,
  type SimOperationRequest,
  type SimProject,
  type SimStatus,
} from "./types";

/** When accepted operations take effect. */
export type ConfirmationKnobs =
  | { mode: "immediate" }
  | { mode: "delay"; delayMs: number }
  | { mode: "batch"; intervalMs: number }
  | { mode: "manual" };

export type LedgerParameters = {
  registry: RegistryName;
  /** Renders a record id from a counter (`100001`, `ITEM-000001`, ...). */
  idFor?: ((counter: number) => string) | undefined;
  /** The serial of `block` once its range is `blockStart..blockEnd` (and its id `id`). */
  serialFor: (block: SimBlock, range: { id: string; blockStart: bigint; blockEnd: bigint }) => string;
  confirmation?: ConfirmationKnobs | undefined;
};

export type SeedBlockParameters = {
  serial: string;
  blockStart: bigint;
  blockEnd: bigint;
  projectId: string;
  account: string;
  status?: SimStatus | undefined;
  id?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
};

const now = () => new Date().toISOString();

/**
 * One registry's books: accounts, projects, blocks, operations and the event log. Operations are accepted
 * (validated, the block locked) and later confirmed according to the confirmation knob; at confirmation the
 * block is split when only part of it is used (the low end is taken), and the state is checked again, so a hold
 * or cancellation applied by the registry in between rejects the operation.
 */
export class Ledger {
  readonly registry: RegistryName;
  readonly accounts = new Map<string, SimAccount>();
  readonly projects = new Map<string, SimProject>();
  readonly blocks = new Map<string, SimBlock>();
  readonly operations = new Map<string, SimOperation>();
  readonly events: SimEvent[] = [];
  private readonly listeners: Array<(event: SimEvent) => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private batchTimer: NodeJS.Timeout | undefined;
  private counter = 100_000;
  private operationCounter = 0;
  private confirmation: ConfirmationKnobs = { mode: "immediate" };

  constructor(private readonly params: LedgerParameters) {
    this.registry = params.registry;
    this.setConfirmation(params.confirmation ?? { mode: "immediate" });
  }

  onEvent(listener: (event: SimEvent) => void): void {
    this.listeners.push(listener);
  }

  setConfirmation(knobs: ConfirmationKnobs): void {
    this.confirmation = knobs;
    if (this.batchTimer !== undefined) clearInterval(this.batchTimer);
    this.batchTimer = undefined;
    if (knobs.mode === "batch") {
      this.batchTimer = setInterval(() => this.confirmPending(), knobs.intervalMs);
      this.batchTimer.unref();
    }
  }

  close(): void {
    this.setConfirmation({ mode: "manual" });
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  nextId(): string {
    this.counter += 1;
    return this.params.idFor?.(this.counter) ?? String(this.counter);
  }

  addAccount(account: Partial<SimAccount> & { id: string }): SimAccount {
    const full: SimAccount = { name: account.id, type: "Trade", platform: false, ...account };
    this.accounts.set(full.id, full);
    return full;
  }

  addProject(project: Partial<SimProject> & { id: string }): SimProject {
    const full: SimProject = { name: `Project ${project.id}`, country: "US", attributes: {}, ...project };
    this.projects.set(full.id, full);
    return full;
  }

  addBlock(seed: SeedBlockParameters): SimBlock {
    if (!this.accounts.has(seed.account)) this.addAccount({ id: seed.account });
    for (const other of this.blocks.values()) {
      if (other.serial === seed.serial) throw new SimError(409, "DUPLICATE_SERIAL", `serial ${seed.serial} already exists`);
    }
    const at = now();
    const block: SimBlock = {
      id: seed.id ?? this.nextId(),
      serial: seed.serial,
      blockStart: seed.blockStart,
      blockEnd: seed.blockEnd,
      projectId: seed.projectId,
      account: seed.account,
      status: seed.status ?? "ACTIVE",
      // A block seeded immobilized was immobilized by the account holding it (the platform's custody account).
      immobilizedBy: seed.status === "IMMOBILIZED" ? seed.account : undefined,
      attributes: seed.attributes ?? {},
      createdAt: at,
      updatedAt: at,
    };
    this.blocks.set(block.id, block);
    this.emit({ type: "block.created", blockIds: [block.id], data: { status: block.status } });
    return block;
  }

  block(id: string): SimBlock {
    const block = this.blocks.get(id);
    if (block === undefined) throw new SimError(404, "BLOCK_NOT_FOUND", `no block ${id}`);
    return block;
  }

  /** Blocks still held (neither retired nor cancelled), only `account`'s when given. */
  liveBlocks(account?: string): SimBlock[] {
    return [...this.blocks.values()].filter(
      (block) =>
        (account === undefined || block.account === account) && block.status !== "RETIRED" && block.status !== "CANCELLED",
    );
  }

  operationsByMemo(memo: string): SimOperation[] {
    return [...this.operations.values()].filter((operation) => operation.memo === memo);
  }

  /** Validates and accepts an operation; it takes effect according to the confirmation knob. */
  submit(request: SimOperationRequest): SimOperation {
    const block = this.block(request.blockId);
    this.check(request, block);
    const size = block.blockEnd - block.blockStart + 1n;
    const operation: SimOperation = {
      ...request,
      id: `OP-${++this.operationCounter}`,
      status: "PENDING",
      rangeStart: block.blockStart,
      rangeEnd: block.blockStart + (request.quantity < size ? request.quantity : size) - 1n,
      resultBlockIds: [],
      createdAt: now(),
    };
    this.operations.set(operation.id, operation);
    block.pendingOperationId = operation.id;
    this.emit({
      type: "operation.accepted",
      operationId: operation.id,
      memo: operation.memo,
      blockIds: [block.id],
      data: { kind: operation.kind },
    });
    this.schedule(operation);
    return operation;
  }

  private schedule(operation: SimOperation): void {
    const knobs = this.confirmation;
    if (knobs.mode === "immediate") this.confirm(operation.id);
    else if (knobs.mode === "delay") {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.confirm(operation.id);
      }, knobs.delayMs);
      timer.unref();
      this.timers.add(timer);
    }
  }

  private check(request: SimOperationRequest, block: SimBlock): void {
    const size = block.blockEnd - block.blockStart + 1n;
    if (request.memo.length === 0) throw new SimError(400, "MEMO_REQUIRED", "memo is required");
    if (request.quantity <= 0n || request.quantity > size) {
      throw new SimError(400, "BAD_QUANTITY", `quantity ${request.quantity} must be between 1 and ${size}`);
    }
    if (block.account !== request.actingAccount) {
      throw new SimError(403, "NOT_HOLDER", `account ${request.actingAccount} does not hold block ${block.id}`);
    }
    if (block.pendingOperationId !== undefined) {
      throw new SimError(409, "BLOCK_BUSY", `block ${block.id} has pending operation ${block.pendingOperationId}`);
    }
    this.checkStatus(request, block);
    if (request.kind === "TRANSFER" && (request.toAccount === undefined || !this.accounts.has(request.toAccount))) {
      throw new SimError(400, "UNKNOWN_ACCOUNT", `destination account ${request.toAccount ?? "(none)"} does not exist`);
    }
  }

  private checkStatus(request: SimOperationRequest, block: SimBlock): void {
    if (block.status === "RETIRED" || block.status === "CANCELLED" || block.status === "ON_HOLD") {
      throw new SimError(422, "BLOCK_NOT_ACTIVE", `block ${block.id} is ${block.status}`);
    }
    if (request.kind === "IMMOBILIZE") {
      if (block.status !== "ACTIVE") throw new SimError(422, "BLOCK_NOT_ACTIVE", `block ${block.id} is ${block.status}`);
      if (this.accounts.get(request.actingAccount)?.platform !== true) {
        throw new SimError(403, "NOT_PLATFORM", `account ${request.actingAccount} is not a platform custody account`);
      }
    }
    if (block.status === "IMMOBILIZED" && block.immobilizedBy !== request.actingAccount) {
      throw new SimError(403, "IMMOBILIZED", `block ${block.id} is immobilized by ${block.immobilizedBy ?? "?"}`);
    }
  }

  /** Confirms every pending operation (the batch run; also `/_admin/confirm`). */
  confirmPending(): number {
    const pending = [...this.operations.values()].filter((operation) => operation.status === "PENDING");
    for (const operation of pending) this.confirm(operation.id);
    return pending.length;
  }

  confirm(operationId: string): SimOperation {
    const operation = this.operations.get(operationId);
    if (operation === undefined) throw new SimError(404, "OPERATION_NOT_FOUND", `no operation ${operationId}`);
    if (operation.status !== "PENDING") return operation;
    const block = this.block(operation.blockId);
    block.pendingOperationId = undefined;
    try {
      this.checkStatus(operation, block);
    } catch (error) {
      return this.reject(operation, error instanceof Error ? error.message : String(error));
    }
    const target = this.take(block, operation.quantity);
    this.apply(operation, target);
    operation.status = "CONFIRMED";
    operation.confirmedAt = now();
    operation.resultBlockIds = [target.id];
    this.emit({
      type: "operation.confirmed",
      operationId: operation.id,
      memo: operation.memo,
      blockIds: [target.id, block.id],
      data: { kind: operation.kind, status: target.status },
    });
    return operation;
  }

  private reject(operation: SimOperation, reason: string): SimOperation {
    operation.status = "REJECTED";
    operation.rejectionReason = reason;
    operation.confirmedAt = now();
    this.emit({
      type: "operation.rejected",
      operationId: operation.id,
      memo: operation.memo,
      blockIds: [operation.blockId],
      data: { reason },
    });
    return operation;
  }

  private apply(operation: SimOperation, target: SimBlock): void {
    target.updatedAt = now();
    if (operation.kind === "TRANSFER") {
      target.account = operation.toAccount ?? target.account;
      target.status = "ACTIVE";
      target.immobilizedBy = undefined;
    } else if (operation.kind === "IMMOBILIZE") {
      target.status = "IMMOBILIZED";
      target.immobilizedBy = operation.actingAccount;
    } else {
      target.status = "RETIRED";
      target.retirement = { ...operation.retirement, memo: operation.memo, retiredAt: target.updatedAt };
    }
  }

  /**
   * The block holding exactly `quantity` units of `block`: the block itself, or a new child with the low end.
   * The remainder keeps its record id (and a shrunk range and serial); the child records its parent.
   */
  take(block: SimBlock, quantity: bigint): SimBlock {
    if (quantity === block.blockEnd - block.blockStart + 1n) return block;
    const { taken, remainder } = splitRange(block, quantity);
    const id = this.nextId();
    const child: SimBlock = {
      ...block,
      id,
      serial: this.params.serialFor(block, { id, ...taken }),
      ...taken,
      parentId: block.id,
      attributes: { ...block.attributes },
      createdAt: now(),
    };
    const parentRange = { blockStart: block.blockStart, blockEnd: block.blockEnd };
    block.serial = this.params.serialFor(block, { id: block.id, ...remainder });
    block.blockStart = remainder.blockStart;
    block.blockEnd = remainder.blockEnd;
    block.updatedAt = now();
    this.blocks.set(child.id, child);
    this.emit({
      type: "block.split",
      blockIds: [child.id, block.id],
      data: {
        parent: block.id,
        parentRange: stringifyRange(parentRange),
        children: [stringifyRange(child), stringifyRange(block)],
      },
    });
    return child;
  }

  /** Registry-initiated status changes: holds, releases and cancellations. */
  setStatus(blockId: string, status: "ON_HOLD" | "ACTIVE" | "CANCELLED", reason = ""): SimBlock {
    const block = this.block(blockId);
    if (block.status === "RETIRED" || block.status === "CANCELLED") {
      throw new SimError(422, "BLOCK_FINAL", `block ${blockId} is ${block.status}`);
    }
    if (status === "ON_HOLD" && block.status !== "ON_HOLD") block.statusBeforeHold = block.status;
    const next = status === "ACTIVE" && block.status === "ON_HOLD" ? (block.statusBeforeHold ?? "ACTIVE") : status;
    block.statusBeforeHold = next === "ON_HOLD" ? block.statusBeforeHold : undefined;
    block.status = next;
    block.updatedAt = now();
    if (status === "CANCELLED") block.cancellation = { reason, cancelledAt: block.updatedAt };
    this.emit({ type: "block.status_changed", blockIds: [block.id], data: { status: next, reason } });
    return block;
  }

  eventsAfter(sequence: number): SimEvent[] {
    return this.events.filter((event) => event.sequence > sequence);
  }

  private emit(event: Omit<SimEvent, "id" | "sequence" | "occurredAt">): void {
    const sequence = this.events.length + 1;
    const full: SimEvent = { ...event, id: `EV-${sequence}`, sequence, occurredAt: now() };
    this.events.push(full);
    for (const listener of this.listeners) listener(full);
  }
}

function stringifyRange(range: { blockStart: bigint; blockEnd: bigint }) {
  return { blockStart: range.blockStart.toString(), blockEnd: range.blockEnd.toString() };
}
