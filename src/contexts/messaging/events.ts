import type { Tx } from '../../storage/index.js';
import { chunkRows } from '../../storage/index.js';

/**
 * A domain event. It is written in the same transaction as the change it describes (the transactional
 * outbox), so a committed change is always announced and an aborted one never is. `aggregateSeq`
 * numbers the events of one aggregate so consumers can order them.
 */
export interface DomainEvent {
  readonly id: string;
  readonly type: string;
  readonly aggregateType:
    | 'order'
    | 'fulfillment_order'
    | 'inventory'
    | 'transfer'
    | 'item'
    | 'location'
    | 'webhook_endpoint'
    | 'shipment'
    | 'lead';
  readonly aggregateId: string;
  readonly aggregateSeq: number;
  readonly orderId: string | null;
  readonly actor: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}

export async function appendEvents(tx: Tx, events: readonly DomainEvent[]): Promise<void> {
  const rows = events.map((e) => ({
    id: e.id,
    type: e.type,
    aggregate_type: e.aggregateType,
    aggregate_id: e.aggregateId,
    aggregate_seq: e.aggregateSeq,
    order_id: e.orderId,
    actor: e.actor,
    data: JSON.stringify(e.data),
    created_at: e.createdAt,
  }));
  for (const chunk of chunkRows(rows)) await tx.insertInto('events').values(chunk).execute();
}

export interface EventView {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly aggregate_seq: number;
  readonly actor: string;
  readonly data: unknown;
  readonly created_at: string;
}

export function toEventView(row: {
  id: string;
  seq: number;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_seq: number;
  actor: string;
  data: string;
  created_at: string;
}): EventView {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    aggregate_type: row.aggregate_type,
    aggregate_id: row.aggregate_id,
    aggregate_seq: row.aggregate_seq,
    actor: row.actor,
    data: JSON.parse(row.data),
    created_at: row.created_at,
  };
}
