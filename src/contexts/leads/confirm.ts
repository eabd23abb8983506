import { sql } from 'kysely';
import { forUpdate } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { appendEvents } from '../messaging/index.js';
import { checkConfirmToken, Effects } from './delivery.js';
import { toDestination } from './destinations.js';
import type { Form } from './domain/form.js';

export type ConfirmOutcome = { readonly kind: 'confirmed' | 'already_confirmed' } | { readonly kind: 'invalid' | 'expired' };

/**
 * The double opt-in click: the lead becomes confirmed (`lead.confirmed`), and only then gets the asset e-mail
 * and is forwarded to the CRMs (for its latest submission). Clicking again changes nothing and sends nothing.
 */
export async function confirmLead(deps: PlatformDeps, form: Form, token: string): Promise<ConfirmOutcome> {
  const check = checkConfirmToken(deps.secret, token, deps.clock.now().getTime());
  if (!check.ok) return { kind: check.reason };
  return deps.db.transaction(async (tx) => {
    const lead = await forUpdate(
      tx.selectFrom('leads').select(['id', 'status', 'data', 'erased_at']).where('id', '=', check.leadId).where('form_id', '=', form.id),
      deps.db.dialect,
    ).executeTakeFirst();
    if (!lead || lead.erased_at !== null) return { kind: 'invalid' } as const;
    if (lead.status === 'confirmed') return { kind: 'already_confirmed' } as const;
    const now = deps.clock.now().toISOString();
    const { event_seq } = await tx
      .updateTable('leads')
      .set({ status: 'confirmed', confirmed_at: now, asset_delivered_at: now, updated_at: now, event_seq: sql<number>`event_seq + 1` })
      .where('id', '=', lead.id)
      .returning('event_seq')
      .executeTakeFirstOrThrow();
    const submission = await tx
      .selectFrom('lead_submissions')
      .select('id')
      .where('lead_id', '=', lead.id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const destinations = (await tx.selectFrom('form_destinations').selectAll().where('form_id', '=', form.id).execute()).map(toDestination);
    const data = JSON.parse(lead.data) as Record<string, unknown>;
    const effects = new Effects();
    effects.deliver(
      deps,
      form,
      destinations,
      { leadId: lead.id, submissionId: submission.id, email: String(data.email), name: typeof data.name === 'string' ? data.name : null },
      'confirmed',
    );
    await effects.flush(tx, deps);
    await appendEvents(tx, [
      {
        id: deps.ids.next('event'),
        type: 'lead.confirmed',
        aggregateType: 'lead',
        aggregateId: lead.id,
        aggregateSeq: Number(event_seq),
        orderId: null,
        actor: 'public',
        data: {
          lead_id: lead.id,
          form_id: form.id,
          form_slug: form.slug,
          submission_id: submission.id,
          email: String(data.email),
          status: 'confirmed',
          confirmed_at: now,
        },
        createdAt: now,
      },
    ]);
    return { kind: 'confirmed' } as const;
  });
}
