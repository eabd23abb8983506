import { sql } from 'kysely';
import type { Tx } from '../../storage/index.js';
import type { Deps } from '../deps.js';
import type { EventSubscriber, OutboxEvent } from './types.js';

/** Events handed to the subscribers per transaction. */
export const routeBatchSize = 256;

/** Delays before an event whose subscribers failed is tried again (then the last one, repeatedly). */
const eventRetryDelaysMs = [1_000, 5_000, 30_000, 120_000, 600_000];

interface EventRow {
  seq: number | string;
  id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_seq: number;
  order_id: string | null;
  actor: string;
  data: string;
  created_at: string;
  dispatch_attempts: number;
}

const toOutboxEvent = (row: EventRow): OutboxEvent => ({
  seq: Number(row.seq),
  id: row.id,
  type: row.type,
  aggregateType: row.aggregate_type,
  aggregateId: row.aggregate_id,
  aggregateSeq: row.aggregate_seq,
  orderId: row.order_id,
  actor: row.actor,
  data: JSON.parse(row.data) as Record<string, unknown>,
  createdAt: row.created_at,
});

async function claimEvents(tx: Tx, deps: Deps, now: string, limit: number): Promise<EventRow[]> {
  const lock = deps.db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<EventRow>`
    select seq, id, type, aggregate_type, aggregate_id, aggregate_seq, order_id, actor, data, created_at, dispatch_attempts
    from events
    where dispatched_at is null and (dispatch_after is null or dispatch_after <= ${now})
    order by seq
    limit ${limit}
    ${lock}`.execute(tx);
  return result.rows;
}

async function deliver(tx: Tx, deps: Deps, subscribers: readonly EventSubscriber[], events: readonly OutboxEvent[]): Promise<void> {
  for (const subscriber of subscribers) {
    const wanted = subscriber.types === '*' ? events : events.filter((e) => (subscriber.types as readonly string[]).includes(e.type));
    if (wanted.length > 0) await subscriber.handle(tx, wanted, deps);
  }
}

async function markDispatched(tx: Tx, seqs: readonly number[], now: string): Promise<void> {
  for (let i = 0; i < seqs.length; i += 500) {
    await tx
      .updateTable('events')
      .set({ dispatched_at: now, dispatch_error: null })
      .where('seq', 'in', seqs.slice(i, i + 500))
      .execute();
  }
}

/**
 * Hands one batch of undispatched events to the subscribers and marks them dispatched, in one transaction.
 * When a subscriber throws, the events are retried one at a time so that a bad event only holds back
 * itself (with a growing delay and its error recorded). Returns how many events were dispatched.
 */
export async function routeEvents(
  deps: Deps,
  subscribers: readonly EventSubscriber[],
  onError: (event: OutboxEvent, error: unknown) => void,
  limit = routeBatchSize,
): Promise<number> {
  const now = deps.clock.now().toISOString();
  let failedBatch: OutboxEvent[] | null = null;
  const count = await deps.db
    .transaction(async (tx) => {
      const rows = await claimEvents(tx, deps, now, limit);
      if (rows.length === 0) return 0;
      const events = rows.map(toOutboxEvent);
      try {
        await deliver(tx, deps, subscribers, events);
      } catch (error) {
        failedBatch = events;
        throw error;
      }
      await markDispatched(
        tx,
        events.map((e) => e.seq),
        now,
      );
      return events.length;
    })
    .catch((error: unknown) => {
      if (failedBatch === null) throw error;
      return -1;
    });
  if (count >= 0) return count;
  // One by one: the good ones go through, the bad one is parked with its error.
  let dispatched = 0;
  for (const event of failedBatch as unknown as OutboxEvent[]) {
    try {
      await deps.db.transaction(async (tx) => {
        await deliver(tx, deps, subscribers, [event]);
        await markDispatched(tx, [event.seq], now);
      });
      dispatched += 1;
    } catch (error) {
      onError(event, error);
      await parkEvent(deps, event.seq, error, now);
    }
  }
  return dispatched;
}

async function parkEvent(deps: Deps, seq: number, error: unknown, now: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const row = await tx.selectFrom('events').select('dispatch_attempts').where('seq', '=', seq).executeTakeFirst();
    const attempts = (row?.dispatch_attempts ?? 0) + 1;
    const delay = eventRetryDelaysMs[Math.min(attempts - 1, eventRetryDelaysMs.length - 1)] as number;
    await tx
      .updateTable('events')
      .set({
        dispatch_attempts: attempts,
        dispatch_after: new Date(Date.parse(now) + delay).toISOString(),
        dispatch_error: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
      })
      .where('seq', '=', seq)
      .execute();
  });
}
