import type { Deps, PlatformDeps } from '../deps.js';
import { queueEmails } from '../mail/index.js';
import { appendEvents } from '../messaging/index.js';
import type { Ticker } from '../outbox/index.js';
import { terminalStatuses } from './domain/status.js';
import { loadCustomerFacts, milestoneEmail } from './facts.js';
import { trackingLimits } from './limits.js';

export type Flag = 'late' | 'stuck';

/**
 * Flags open shipments that are late (the expected delivery day has passed) or stuck (no scan for
 * `stuckHours`, counted from the last scan or from shipping). Each flag is set once, by a conditional
 * update, so several processes running this ticker flag a shipment once; the flag emits `shipment.delayed`
 * and queues the delay e-mail (one per shipment, whichever flag came first).
 */
export async function flagDelays(deps: PlatformDeps, stuckHours: number): Promise<{ late: number; stuck: number }> {
  const now = deps.clock.now();
  const today = now.toISOString().slice(0, 10);
  const quietSince = new Date(now.getTime() - stuckHours * 3_600_000).toISOString();
  const open = () => deps.db.read.selectFrom('shipment_tracking').select('shipment_id').where('status', 'not in', terminalStatuses);
  const late = await open()
    .where('late', '=', 0)
    .where('expected_delivery_date', '<', today)
    .orderBy('shipment_id')
    .limit(trackingLimits.flagShipmentsPerRoundMax)
    .execute();
  const stuck = await open()
    .where('stuck', '=', 0)
    .where((eb) =>
      eb.or([eb.and([eb('last_event_at', 'is', null), eb('shipped_at', '<', quietSince)]), eb('last_event_at', '<', quietSince)]),
    )
    .orderBy('shipment_id')
    .limit(trackingLimits.flagShipmentsPerRoundMax)
    .execute();
  const flagged = { late: 0, stuck: 0 };
  const work: { id: string; flag: Flag }[] = [
    ...late.map((r) => ({ id: r.shipment_id, flag: 'late' as const })),
    ...stuck.map((r) => ({ id: r.shipment_id, flag: 'stuck' as const })),
  ];
  if (work.length === 0) return flagged;
  await deps.db.transaction(async (tx) => {
    const at = deps.clock.now().toISOString();
    const done: { id: string; flag: Flag; orderId: string; seq: number; expected: string | null; lastEventAt: string | null }[] = [];
    for (const w of work) {
      // The conditional update is the claim: only the process that flips the flag emits and mails.
      const row = await tx
        .updateTable('shipment_tracking')
        .set((eb) => ({ [w.flag]: 1, flagged_at: at, updated_at: at, event_seq: eb('event_seq', '+', 1) }))
        .where('shipment_id', '=', w.id)
        .where(w.flag, '=', 0)
        .where('status', 'not in', terminalStatuses)
        .returning(['order_id', 'event_seq', 'expected_delivery_date', 'last_event_at'])
        .executeTakeFirst();
      if (!row) continue;
      flagged[w.flag] += 1;
      done.push({
        id: w.id,
        flag: w.flag,
        orderId: row.order_id,
        seq: row.event_seq,
        expected: row.expected_delivery_date,
        lastEventAt: row.last_event_at,
      });
    }
    if (done.length === 0) return;
    await appendEvents(
      tx,
      done.map((d) => ({
        id: deps.ids.next('event'),
        type: 'shipment.delayed',
        aggregateType: 'shipment' as const,
        aggregateId: d.id,
        aggregateSeq: d.seq,
        orderId: d.orderId,
        actor: 'system',
        data: { shipment_id: d.id, order_id: d.orderId, flag: d.flag, expected_delivery_date: d.expected, last_event_at: d.lastEventAt },
        createdAt: at,
      })),
    );
    const facts = await loadCustomerFacts(
      tx,
      done.map((d) => d.id),
    );
    await queueEmails(
      tx,
      deps,
      done.flatMap((d) => {
        const f = facts.get(d.id);
        return f ? [milestoneEmail(deps, f, 'delay', { flag: d.flag, expected_delivery_date: d.expected })] : [];
      }),
    );
  });
  return flagged;
}

export function flagTicker(deps: PlatformDeps, stuckHours: number): Ticker {
  return {
    name: 'tracking.flags',
    everyMs: trackingLimits.flagTickMs,
    async run(_: Deps) {
      await flagDelays(deps, stuckHours);
    },
  };
}
