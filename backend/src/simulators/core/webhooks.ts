import { webhookHeaders } from "../../registries/webhookSignature";
import type { SimEvent } from "./types";

/**
 * Delivers ledger events to subscribers, signed (see registries/webhookSignature.ts), with knobs that make the
 * delivery as unreliable as a real registry's: drop, duplicate, delay, reorder (hold events for a window and send
 * them newest first). Failed deliveries are not retried: consumers must poll to be sure.
 */
export type WebhookKnobs = {
  /** Probability 0..1 that an event is not sent at all. */
  dropRate: number;
  /** Probability 0..1 that an event is sent twice. */
  duplicateRate: number;
  delayMs: number;
  /** When > 0, events are collected for this long and sent in reverse order. */
  reorderWindowMs: number;
};

export type WebhookSubscriber = { url: string; secret: string };

export type WebhookDelivery = { url: string; eventId: string; status: number | "error" };

export class WebhookDispatcher {
  knobs: WebhookKnobs = { dropRate: 0, duplicateRate: 0, delayMs: 0, reorderWindowMs: 0 };
  readonly subscribers: WebhookSubscriber[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  private held: SimEvent[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Deliveries go out one at a time, so the order chosen by the knobs is the order subscribers see. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly random: () => number = Math.random) {}

  subscribe(subscriber: WebhookSubscriber): void {
    this.subscribers.push(subscriber);
  }

  publish(event: SimEvent): void {
    if (this.subscribers.length === 0 || this.closed) return;
    if (this.knobs.reorderWindowMs > 0) {
      this.held.push(event);
      if (this.holdTimer === undefined) {
        this.holdTimer = setTimeout(() => this.flushHeld(), this.knobs.reorderWindowMs);
        this.holdTimer.unref();
      }
      return;
    }
    this.schedule(event);
  }

  private flushHeld(): void {
    const events = this.held.reverse();
    this.held = [];
    this.holdTimer = undefined;
    for (const event of events) this.schedule(event);
  }

  private schedule(event: SimEvent): void {
    if (this.random() < this.knobs.dropRate) return;
    const copies = this.random() < this.knobs.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.chain = this.chain.then(() => this.deliver(event));
      }, this.knobs.delayMs);
      this.timers.add(timer);
    }
  }

  private async deliver(event: SimEvent): Promise<void> {
    const body = JSON.stringify(event);
    for (const subscriber of this.subscribers) {
      try {
        const response = await fetch(subscriber.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...webhookHeaders(subscriber.secret, body) },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        this.deliveries.push({ url: subscriber.url, eventId: event.id, status: response.status });
      } catch {
        this.deliveries.push({ url: subscriber.url, eventId: event.id, status: "error" });
      }
    }
  }

  close(): void {
    this.closed = true;
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
