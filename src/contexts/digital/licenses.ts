import { ProblemError } from '../../kernel/problem.js';
import { forUpdate, isUniqueViolation, type Tx } from '../../storage/index.js';
import type { LicenseTable } from '../../storage/schema-digital.js';
import type { PlatformDeps } from '../deps.js';
import { recordOrderEvent } from '../orders/index.js';
import { lookupHash } from './crypto.js';
import { normalizeLicenseKey } from './license-key.js';

export type LicenseRow = LicenseTable;
export const licenseStatuses = ['active', 'inactive', 'expired', 'suspended', 'revoked'] as const;
export type LicenseStatus = (typeof licenseStatuses)[number];

/**
 * A license's status now: `revoked` (for good) and `suspended` (refund, cancellation, or by hand; can be
 * reinstated) come first, then `expired` past its expiry, then `active` when at least one machine is
 * activated and `inactive` when none is.
 */
export function licenseStatus(row: Pick<LicenseRow, 'status' | 'expires_at'>, now: string): LicenseStatus {
  if (row.status === 'revoked' || row.status === 'suspended') return row.status;
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return row.status;
}

/** Validation answers: one code per reason, so the merchant's software can tell the buyer what is wrong. */
export const validationCodes = [
  'valid',
  'malformed_key',
  'not_found',
  'expired',
  'suspended',
  'revoked',
  'fingerprint_required',
  'not_activated',
  'too_many_activations',
] as const;
export type ValidationCode = (typeof validationCodes)[number];

export const fingerprintPattern = /^[\x21-\x7e]{1,200}$/;

/**
 * The license a key names. Generated keys are read leniently (case, dashes, Crockford look-alikes) and
 * their check symbol is verified first; pool codes must match as uploaded (trimmed). Keys are found by
 * their keyed hash: the key itself is never compared or stored in clear.
 */
async function findByKey(deps: PlatformDeps, raw: string, tx?: Tx): Promise<{ row: LicenseRow } | { code: 'malformed_key' | 'not_found' }> {
  const trimmed = raw.trim();
  const normalized = normalizeLicenseKey(trimmed);
  const candidates = [...new Set([trimmed, ...(normalized.generated && normalized.checkOk ? [normalized.canonical] : [])])];
  const hashes = candidates.map((c) => lookupHash(deps.secret, 'key', c));
  const q = (tx ?? deps.db.read).selectFrom('licenses').selectAll().where('key_hash', 'in', hashes);
  const row = (await (tx ? forUpdate(q, deps.db.dialect) : q).executeTakeFirst()) as LicenseRow | undefined;
  if (row) return { row };
  return { code: normalized.generated && !normalized.checkOk ? 'malformed_key' : 'not_found' };
}

export function licenseView(row: LicenseRow, activations: number, now: string) {
  return {
    id: row.id,
    status: licenseStatus(row, now),
    source: row.source,
    key_hint: row.key_hint,
    order_id: row.order_id,
    entitlement_id: row.entitlement_id,
    expires_at: row.expires_at,
    activations,
    max_activations: row.max_activations,
    status_reason: row.status_reason,
    created_at: row.created_at,
  };
}

async function activationsOf(db: Tx, licenseId: string) {
  return db.selectFrom('license_activations').selectAll().where('license_id', '=', licenseId).orderBy('created_at').execute();
}

/**
 * Validates a key (and, with a fingerprint, that machine's activation). Always an answer, never an error:
 * `{ valid, code, license }` where `license` is null when the key is unknown.
 */
export async function validateLicense(
  deps: PlatformDeps,
  input: { key: string; fingerprint?: string | undefined },
): Promise<{ valid: boolean; code: ValidationCode; license: ReturnType<typeof licenseView> | null }> {
  const found = await findByKey(deps, input.key);
  if ('code' in found) return { valid: false, code: found.code, license: null };
  const now = deps.clock.now().toISOString();
  const activations = await activationsOf(deps.db.read, found.row.id);
  const view = licenseView(found.row, activations.length, now);
  const status = view.status;
  if (status === 'revoked' || status === 'suspended' || status === 'expired') return { valid: false, code: status, license: view };
  if (found.row.max_activations !== null && activations.length > found.row.max_activations) {
    return { valid: false, code: 'too_many_activations', license: view };
  }
  if (input.fingerprint !== undefined) {
    const activation = activations.find((a) => a.fingerprint === input.fingerprint);
    if (!activation) return { valid: false, code: 'not_activated', license: view };
    await deps.db.transaction((tx) =>
      tx.updateTable('license_activations').set({ last_seen_at: now }).where('id', '=', activation.id).execute(),
    );
  }
  return { valid: true, code: 'valid', license: view };
}

function refuseState(row: LicenseRow, now: string): void {
  const status = licenseStatus(row, now);
  if (status === 'revoked') throw new ProblemError('license_revoked', 'this license has been revoked');
  if (status === 'suspended') throw new ProblemError('license_suspended', 'this license is suspended');
  if (status === 'expired') throw new ProblemError('license_expired', `this license expired at ${row.expires_at}`);
}

async function lockedByKey(tx: Tx, deps: PlatformDeps, key: string): Promise<LicenseRow> {
  const found = await findByKey(deps, key, tx);
  if ('code' in found) {
    throw new ProblemError(
      'license_not_found',
      found.code === 'malformed_key' ? 'the key is mistyped: its check character does not match' : 'no license has this key',
      { validation_code: found.code, errors: [{ pointer: '/key', detail: found.code }] },
    );
  }
  return found.row;
}

/**
 * Activates a machine (its fingerprint) on a license, up to the policy's activation limit. Activating a
 * fingerprint that is already active answers the same activation again (`created: false`).
 */
export async function activateLicense(
  deps: PlatformDeps,
  input: { key: string; fingerprint: string; label?: string | undefined },
  actor: string,
): Promise<{
  created: boolean;
  activation: { id: string; fingerprint: string; label: string | null; created_at: string };
  license: ReturnType<typeof licenseView>;
}> {
  try {
    return await deps.db.transaction(async (tx) => {
      const row = await lockedByKey(tx, deps, input.key);
      const now = deps.clock.now().toISOString();
      refuseState(row, now);
      const activations = await activationsOf(tx, row.id);
      const existing = activations.find((a) => a.fingerprint === input.fingerprint);
      if (existing) {
        await tx.updateTable('license_activations').set({ last_seen_at: now }).where('id', '=', existing.id).execute();
        return {
          created: false,
          activation: { id: existing.id, fingerprint: existing.fingerprint, label: existing.label, created_at: existing.created_at },
          license: licenseView(row, activations.length, now),
        };
      }
      if (row.max_activations !== null && activations.length >= row.max_activations) {
        throw new ProblemError(
          'activation_limit_reached',
          `this license allows ${row.max_activations} activation(s); deactivate a machine first`,
          {
            max_activations: row.max_activations,
            activations: activations.length,
          },
        );
      }
      const activation = {
        id: deps.ids.next('activation'),
        license_id: row.id,
        fingerprint: input.fingerprint,
        label: input.label ?? null,
        created_at: now,
        last_seen_at: now,
      };
      await tx.insertInto('license_activations').values(activation).execute();
      const updated = { ...row, status: 'active' as const, updated_at: now };
      if (row.status !== 'active')
        await tx.updateTable('licenses').set({ status: 'active', updated_at: now }).where('id', '=', row.id).execute();
      await recordOrderEvent(
        tx,
        deps,
        row.order_id,
        'license.activated',
        { license_id: row.id, activation_id: activation.id, activations: activations.length + 1, max_activations: row.max_activations },
        actor,
        now,
      );
      return {
        created: true,
        activation: { id: activation.id, fingerprint: activation.fingerprint, label: activation.label, created_at: now },
        license: licenseView(updated, activations.length + 1, now),
      };
    });
  } catch (error) {
    // Two first activations of one fingerprint at once: the loser sees the winner's row on a retry.
    if (isUniqueViolation(error)) return activateLicense(deps, input, actor);
    throw error;
  }
}

/** Frees a machine's activation. A license with no machine left goes back to `inactive`. */
export async function deactivateLicense(
  deps: PlatformDeps,
  input: { key: string; fingerprint: string },
  actor: string,
): Promise<ReturnType<typeof licenseView>> {
  return deps.db.transaction(async (tx) => {
    const row = await lockedByKey(tx, deps, input.key);
    const now = deps.clock.now().toISOString();
    const removed = await tx
      .deleteFrom('license_activations')
      .where('license_id', '=', row.id)
      .where('fingerprint', '=', input.fingerprint)
      .returning('id')
      .executeTakeFirst();
    if (!removed) throw new ProblemError('activation_not_found', 'this machine is not activated on this license');
    const left = (await activationsOf(tx, row.id)).length;
    let status = row.status;
    if (left === 0 && row.status === 'active') {
      status = 'inactive';
      await tx.updateTable('licenses').set({ status, updated_at: now }).where('id', '=', row.id).execute();
    }
    await recordOrderEvent(
      tx,
      deps,
      row.order_id,
      'license.deactivated',
      { license_id: row.id, activation_id: removed.id, activations: left },
      actor,
      now,
    );
    return licenseView({ ...row, status }, left, now);
  });
}

/** The merchant's list of an order's licenses: hints only, never the keys. */
export async function listOrderLicenses(deps: PlatformDeps, orderId: string) {
  const now = deps.clock.now().toISOString();
  const rows = (await deps.db.read
    .selectFrom('licenses')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute()) as LicenseRow[];
  const counts = new Map<string, number>();
  if (rows.length > 0) {
    const activations = await deps.db.read
      .selectFrom('license_activations')
      .select(['license_id'])
      .where(
        'license_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    for (const a of activations) counts.set(a.license_id, (counts.get(a.license_id) ?? 0) + 1);
  }
  return rows.map((r) => licenseView(r, counts.get(r.id) ?? 0, now));
}

/** Suspends, reinstates or revokes one license by hand (`license.suspended|reinstated|revoked` on the timeline). */
export async function setLicenseStatus(
  deps: PlatformDeps,
  id: string,
  action: 'suspend' | 'reinstate' | 'revoke',
  reason: string | undefined,
  actor: string,
): Promise<ReturnType<typeof licenseView>> {
  return deps.db.transaction(async (tx) => {
    const row = (await forUpdate(tx.selectFrom('licenses').selectAll().where('id', '=', id), deps.db.dialect).executeTakeFirst()) as
      | LicenseRow
      | undefined;
    if (!row) throw new ProblemError('not_found', `no license ${id}`);
    const now = deps.clock.now().toISOString();
    const activations = (await activationsOf(tx, id)).length;
    if (row.status === 'revoked') throw new ProblemError('license_revoked', 'a revoked license cannot change status');
    let status: LicenseRow['status'];
    if (action === 'reinstate') {
      if (row.status !== 'suspended') throw new ProblemError('illegal_transition', `license ${id} is not suspended`);
      status = activations > 0 ? 'active' : 'inactive';
    } else status = action === 'suspend' ? 'suspended' : 'revoked';
    await tx
      .updateTable('licenses')
      .set({ status, status_reason: reason ?? null, updated_at: now })
      .where('id', '=', id)
      .execute();
    const type = action === 'reinstate' ? 'license.reinstated' : `license.${status}`;
    await recordOrderEvent(tx, deps, row.order_id, type, { licenses: [id], reason: reason ?? null }, actor, now);
    return licenseView({ ...row, status, status_reason: reason ?? null }, activations, now);
  });
}

/**
 * A token bucket per (API key, client IP): `capacity` calls at once, refilled at `perSecond`. In memory, per
 * process: with several server processes each enforces its own bucket.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly capacity = 30,
    readonly perSecond = 10,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.nowMs();
    const bucket = this.#buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (this.#buckets.size > 100_000) this.#prune(now);
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }

  #prune(now: number): void {
    const full = (this.capacity / this.perSecond) * 1000;
    for (const [key, bucket] of this.#buckets) if (now - bucket.at > full) this.#buckets.delete(key);
  }
}
