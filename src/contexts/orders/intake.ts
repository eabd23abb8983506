import type { Failure } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { findItemsBySkus, findLocationsByIds } from '../catalog/index.js';
import type { Deps } from '../deps.js';
import { deltas, lockLevels, StockBook } from '../inventory/index.js';
import { appendEvents, type DomainEvent } from '../messaging/index.js';
import type { SourcingLocation, SourcingStrategy } from '../sourcing/index.js';
import { planOrder } from './domain/plan-order.js';
import type { IdempotencyRow, OrderAggregate } from './domain/rows.js';
import type { IntakeItem, OrderInput } from './domain/types.js';
import { toOrderView } from './domain/view.js';
import { insertAggregates } from './store.js';

export interface OrdersDeps extends Deps {
  readonly sourcing: SourcingStrategy;
}

export interface IdempotencyClaim {
  /** Whose key: keys are scoped to the API key that sent them. */
  readonly principal: string;
  readonly key: string;
  /** Hash of method, path and body: the same key with another request is refused. */
  readonly fingerprint: string;
}

export interface IntakeRequest {
  readonly input: OrderInput;
  readonly actor: string;
  readonly idempotency?: IdempotencyClaim | undefined;
}

export type IntakeOutcome =
  | { readonly kind: 'created'; readonly orderId: string; readonly body: string }
  | { readonly kind: 'replayed'; readonly statusCode: number; readonly body: string }
  | { readonly kind: 'failed'; readonly failure: Failure };

const failed = (code: Failure['code'], detail: string, extra?: Record<string, unknown>): IntakeOutcome => ({
  kind: 'failed',
  failure: extra ? { code, detail, extra } : { code, detail },
});

/** What a batch needs to know before planning any of its orders: one query per kind, not per order. */
async function loadBatchContext(tx: Tx, deps: OrdersDeps, requests: readonly IntakeRequest[]) {
  const skus = [...new Set(requests.flatMap((r) => r.input.lines.map((l) => l.sku)))];
  const items = new Map<string, IntakeItem>(
    (await findItemsBySkus(tx, skus)).map((i) => [
      i.sku,
      { id: i.id, sku: i.sku, kind: i.kind as IntakeItem['kind'], policy: i.inventory_policy as IntakeItem['policy'] },
    ]),
  );
  const channels = [...new Set(requests.map((r) => r.input.channel))];
  const externalIds = [...new Set(requests.map((r) => r.input.external_id))];
  const existing = new Map(
    (
      await tx
        .selectFrom('orders')
        .select(['id', 'channel', 'external_id'])
        .where('channel', 'in', channels)
        .where('external_id', 'in', externalIds)
        .execute()
    ).map((o) => [`${o.channel}\u0000${o.external_id}`, o.id]),
  );
  const claims = requests.flatMap((r) => (r.idempotency ? [r.idempotency] : []));
  const stored = new Map(
    claims.length === 0
      ? []
      : (
          await tx
            .selectFrom('idempotency_keys')
            .selectAll()
            // The primary key is (principal, key): without the principal this was a full scan per batch.
            .where('principal', 'in', [...new Set(claims.map((c) => c.principal))])
            .where('key', 'in', [...new Set(claims.map((c) => c.key))])
            .execute()
        ).map((row) => [`${row.principal}\u0000${row.key}`, row]),
  );
  const physical = [...items.values()].filter((i) => i.kind === 'physical').map((i) => i.id);
  const levels = await lockLevels(tx, deps.db.dialect, physical);
  const byItem = new Map<string, string[]>();
  for (const key of levels.keys()) {
    const [itemId, locationId] = key.split('\u0000') as [string, string];
    const list = byItem.get(itemId);
    if (list) list.push(locationId);
    else byItem.set(itemId, [locationId]);
  }
  const locationRows = await findLocationsByIds(tx, [...new Set([...byItem.values()].flat())]);
  const locations = new Map<string, SourcingLocation & { active: boolean }>(
    locationRows.map((l) => [
      l.id,
      { id: l.id, code: l.code, priority: l.priority, country: l.country, postalCode: l.postal_code, active: l.active === 1 },
    ]),
  );
  return { items, existing, stored, book: new StockBook(levels), byItem, locations };
}

/**
 * Places a batch of orders in the caller's transaction. Each order is decided on its own (a refused order
 * writes nothing) against the availability left by the orders before it; all accepted orders are then
 * written together. Levels are read once and locked in key order, so batches never oversell or deadlock.
 */
export async function placeOrders(tx: Tx, deps: OrdersDeps, requests: readonly IntakeRequest[]): Promise<IntakeOutcome[]> {
  const now = deps.clock.now().toISOString();
  const ctx = await loadBatchContext(tx, deps, requests);
  const aggregates: OrderAggregate[] = [];
  const events: DomainEvent[] = [];
  const idempotency: IdempotencyRow[] = [];
  const claimed = new Set<string>();
  const locationCode = (id: string) => ctx.locations.get(id)?.code ?? id;
  const outcomes = requests.map((request): IntakeOutcome => {
    const { input } = request;
    const claim = request.idempotency;
    if (claim) {
      const claimKey = `${claim.principal}\u0000${claim.key}`;
      const prior = ctx.stored.get(claimKey);
      if (prior) {
        return prior.fingerprint === claim.fingerprint
          ? { kind: 'replayed', statusCode: prior.status_code, body: prior.response }
          : failed('idempotency_key_reused', 'this Idempotency-Key was already used with a different request');
      }
      if (claimed.has(claimKey)) return failed('idempotency_in_progress', 'a request with this Idempotency-Key is being processed');
      claimed.add(claimKey);
    }
    const orderKey = `${input.channel}\u0000${input.external_id}`;
    const existingId = ctx.existing.get(orderKey);
    if (existingId !== undefined) {
      return failed('order_exists', `channel ${input.channel} already has order ${input.external_id}`, { order_id: existingId });
    }
    const planned = planOrder(input, {
      items: ctx.items,
      ids: deps.ids,
      now,
      actor: request.actor,
      locationCode,
      source: (lines, destination) =>
        deps.sourcing({
          lines,
          destination,
          locations: [...new Set(lines.flatMap((l) => ctx.byItem.get(l.itemId) ?? []))]
            .map((id) => ctx.locations.get(id))
            .filter((l): l is SourcingLocation & { active: boolean } => l?.active === true),
          available: (itemId, locationId) => ctx.book.available(itemId, locationId),
        }),
    });
    if (!planned.ok) {
      if (claim) claimed.delete(`${claim.principal}\u0000${claim.key}`);
      return { kind: 'failed', failure: planned.error };
    }
    const { aggregate } = planned.value;
    for (const r of planned.value.reservations) {
      ctx.book.apply(r.itemId, r.locationId, 'reserve', deltas.reserve(r.quantity), {
        refType: 'fulfillment_order',
        refId: r.fulfillmentOrderId,
        actor: request.actor,
      });
    }
    ctx.existing.set(orderKey, aggregate.order.id);
    aggregates.push(aggregate);
    events.push(...planned.value.events);
    const body = JSON.stringify(toOrderView(aggregate, locationCode));
    if (claim) {
      idempotency.push({
        principal: claim.principal,
        key: claim.key,
        fingerprint: claim.fingerprint,
        status_code: 201,
        response: body,
        created_at: now,
      });
    }
    return { kind: 'created', orderId: aggregate.order.id, body };
  });
  if (aggregates.length > 0) {
    await insertAggregates(tx, aggregates, idempotency);
    await ctx.book.flush(tx, now);
    await appendEvents(tx, events);
  }
  return outcomes;
}

/** One order in its own transaction: for callers outside the HTTP hot path. */
export async function placeOrder(deps: OrdersDeps, request: IntakeRequest): Promise<IntakeOutcome> {
  const [outcome] = await deps.db.transaction((tx) => placeOrders(tx, deps, [request]));
  return outcome ?? failed('internal', 'no outcome');
}
