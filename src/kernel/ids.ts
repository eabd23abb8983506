import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Prefixes make ids self-describing in logs and support tickets. */
export const idPrefixes = {
  order: 'ord',
  orderLine: 'line',
  fulfillmentOrder: 'fo',
  fulfillmentOrderLine: 'fol',
  item: 'item',
  location: 'loc',
  bin: 'bin',
  hold: 'hold',
  transfer: 'tr',
  receipt: 'rcpt',
  adjustment: 'adj',
  backorder: 'bo',
  apiKey: 'key',
  event: 'evt',
  wave: 'wave',
  pickList: 'pl',
  pickTask: 'pt',
  parcel: 'prc',
  shipment: 'shp',
  manifest: 'mf',
  box: 'box',
  job: 'job',
  email: 'msg',
  mailTemplate: 'tpl',
  webhookEndpoint: 'we',
  webhookAttempt: 'wa',
  trackingEvent: 'te',
  digitalFile: 'file',
  licensePolicy: 'lp',
  licensePool: 'pool',
  poolCode: 'code',
  entitlement: 'ent',
  license: 'lic',
  activation: 'act',
  download: 'dl',
  form: 'form',
  formDestination: 'dest',
  lead: 'lead',
  submission: 'sub',
  consent: 'cons',
} as const;

export type IdKind = keyof typeof idPrefixes;

/** Generates ids. Time-ordered (UUIDv7) so ids sort by creation and serve as list cursors. */
export interface IdGenerator {
  next(kind: IdKind): string;
}

export const uuidV7Ids: IdGenerator = {
  next: (kind) => `${idPrefixes[kind]}_${uuidv7().replaceAll('-', '')}`,
};

/** Deterministic ids for the seeded simulation. */
export class SequentialIds implements IdGenerator {
  #n = 0;
  next(kind: IdKind): string {
    this.#n += 1;
    return `${idPrefixes[kind]}_${this.#n.toString().padStart(12, '0')}`;
  }
}

/** A secret with `bytes` of entropy, URL-safe. */
export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');
