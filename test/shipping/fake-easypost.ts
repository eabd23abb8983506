import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  addressFieldErrors,
  feesFor,
  type JsonObject,
  parcelObject,
  postageLabelObject,
  rateObjects,
  shipmentObject,
  testTrackingStatuses,
  timestamp,
  trackerObject,
  trackingCodeFor,
} from './fake-easypost-objects.js';

/**
 * A local stand-in for EasyPost's REST API v2, on 127.0.0.1 and a free port. It answers as EasyPost
 * documents: basic auth with the API key as user name, `{"shipment": {...}}` bodies, Shipment / Rate /
 * PostageLabel / Tracker objects with prefixed ids, errors as `{"error": {"code", "message", "errors"}}`.
 * Like EasyPost it sells postage once per shipment (`SHIPMENT.POSTAGE.EXISTS` after that) and deduplicates
 * trackers on tracking code and carrier.
 *
 * Tests can inject faults per route (error status, late answer after doing the work, hang, dropped
 * connection, redirect, non-JSON body), and read every call it received.
 */

export type FakeRoute =
  | 'create_shipment'
  | 'retrieve_shipment'
  | 'buy'
  | 'refund'
  | 'create_tracker'
  | 'retrieve_tracker'
  | 'file'
  | 'unknown';

export type FaultAction =
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message: string }
  /** Does the work, then answers `ms` later: the carrier acted but the caller may have given up. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Does nothing and answers 504 after `ms` (or never, if the test ends first). */
  | { readonly kind: 'hang'; readonly ms: number }
  /** Closes the connection without an answer and without doing the work. */
  | { readonly kind: 'drop' }
  | { readonly kind: 'redirect'; readonly location: string }
  /** Does the work and answers 200 with a body that is not JSON. */
  | { readonly kind: 'garbage' };

export interface Fault {
  readonly route: FakeRoute | 'any';
  readonly action: FaultAction;
  /** How many matching requests the fault applies to; default 1. */
  readonly times?: number;
}

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly route: FakeRoute;
  readonly authorized: boolean;
  readonly body: unknown;
  readonly at: number;
}

export interface FakeEasyPost {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly calls: readonly RecordedCall[];
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Successful purchases, in total or of one shipment. */
  purchases(shipmentId?: string): number;
  shipment(id: string): JsonObject | undefined;
  /** The tracker of a tracking code (any carrier), as the fake serves it: tests add scans to it. */
  tracker(trackingCode: string): JsonObject | undefined;
  close(): Promise<void>;
}

export interface FakeEasyPostOptions {
  readonly apiKey?: string;
}

const bodyBytesMax = 1_048_576;

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const apiError = (status: number, code: string, message: string, errors: unknown[] = []): Reply => ({
  status,
  body: { error: { code, message, errors } },
});
const notFound = (): Reply => apiError(404, 'NOT_FOUND', 'The requested resource could not be found.');
const asObject = (value: unknown): JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};

function routeOf(method: string, path: string): { route: FakeRoute; id?: string } {
  const shipment = /^\/v2\/shipments\/(shp_[0-9a-f]{32})(\/buy|\/refund)?$/.exec(path);
  if (method === 'POST' && path === '/v2/shipments') return { route: 'create_shipment' };
  if (shipment?.[1] !== undefined) {
    if (method === 'GET' && shipment[2] === undefined) return { route: 'retrieve_shipment', id: shipment[1] };
    if (method === 'POST' && shipment[2] === '/buy') return { route: 'buy', id: shipment[1] };
    if (method === 'POST' && shipment[2] === '/refund') return { route: 'refund', id: shipment[1] };
  }
  if (method === 'POST' && path === '/v2/trackers') return { route: 'create_tracker' };
  const tracker = /^\/v2\/trackers\/(trk_[0-9a-f]{32})$/.exec(path);
  if (method === 'GET' && tracker?.[1] !== undefined) return { route: 'retrieve_tracker', id: tracker[1] };
  if (method === 'GET' && path.startsWith('/files/')) return { route: 'file' };
  return { route: 'unknown' };
}

async function readBody(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; reply: Reply }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > bodyBytesMax) return { ok: false, reply: apiError(413, 'PAYLOAD.TOO_LARGE', 'Request body too large.') };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return { ok: true, value: {} };
  if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
    return { ok: false, reply: apiError(415, 'PARAMETER.INVALID', 'Unsupported content type.') };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reply: apiError(400, 'PARAMETER.INVALID', 'Malformed JSON body.') };
  }
}

const fakeFiles: Readonly<Record<string, { type: string; body: Buffer }>> = {
  png: {
    type: 'image/png',
    body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG7buVgAAAABJRU5ErkJggg==', 'base64'),
  },
  pdf: { type: 'application/pdf', body: Buffer.from('%PDF-1.4\n% fake EasyPost label\n%%EOF\n') },
  zpl: { type: 'application/zpl', body: Buffer.from('^XA^FO50,50^A0N,40,40^FDFAKE EASYPOST LABEL^FS^XZ\n') },
};

class FakeState {
  readonly shipments = new Map<string, JsonObject>();
  readonly trackers = new Map<string, JsonObject>();
  readonly trackersByCode = new Map<string, JsonObject>();
  readonly purchases = new Map<string, number>();
  constructor(readonly baseUrl: () => string) {}

  createShipment(body: unknown): Reply {
    const input = asObject(asObject(body).shipment);
    const addressErrors = [...addressFieldErrors(input.to_address), ...addressFieldErrors(input.from_address)];
    if (addressErrors.length > 0) return apiError(422, 'ADDRESS.VERIFY.FAILURE', 'Unable to verify address.', addressErrors);
    const parcel = parcelObject(input.parcel);
    if (parcel === undefined) return apiError(422, 'PARCEL.INVALID', 'Parcel dimensions and weight must be positive numbers.');
    const shipment = shipmentObject(input, (id) => rateObjects(id, asObject(input.from_address), asObject(input.to_address), parcel));
    this.shipments.set(String(shipment.id), shipment);
    return { status: 201, body: shipment };
  }

  /** Checks and records the purchase in one synchronous step: two buys of one shipment cannot both pass. */
  buy(id: string, body: unknown): Reply {
    const shipment = this.shipments.get(id);
    if (shipment === undefined) return notFound();
    if (shipment.postage_label !== null) return apiError(422, 'SHIPMENT.POSTAGE.EXISTS', 'Postage already exists for this shipment.');
    const rateId = asObject(asObject(body).rate).id;
    const rates = Array.isArray(shipment.rates) ? shipment.rates.map(asObject) : [];
    const rate = rates.find((r) => r.id === rateId);
    if (rate === undefined)
      return apiError(422, 'SHIPMENT.RATE.INVALID', 'The rate does not belong to this shipment.', [{ field: 'rate', message: 'invalid' }]);
    const trackingCode = trackingCodeFor(String(rate.carrier));
    const tracker = trackerObject(trackingCode, String(rate.carrier), 'pre_transit', id);
    this.rememberTracker(tracker);
    Object.assign(shipment, {
      postage_label: postageLabelObject(this.baseUrl(), String(asObject(shipment.options).label_format ?? 'PNG')),
      selected_rate: { ...rate, updated_at: timestamp() },
      tracking_code: trackingCode,
      tracker,
      fees: feesFor(rate),
      updated_at: timestamp(),
    });
    this.purchases.set(id, (this.purchases.get(id) ?? 0) + 1);
    return { status: 200, body: shipment };
  }

  refund(id: string): Reply {
    const shipment = this.shipments.get(id);
    if (shipment === undefined) return notFound();
    if (shipment.postage_label === null) return apiError(422, 'SHIPMENT.REFUND.UNAVAILABLE', 'Only purchased shipments can be refunded.');
    if (shipment.refund_status === null || shipment.refund_status === 'rejected')
      Object.assign(shipment, { refund_status: 'submitted', updated_at: timestamp() });
    return { status: 200, body: shipment };
  }

  rememberTracker(tracker: JsonObject): void {
    this.trackers.set(String(tracker.id), tracker);
    this.trackersByCode.set(`${String(tracker.carrier)}|${String(tracker.tracking_code)}`, tracker);
  }

  createTracker(body: unknown): Reply {
    const input = asObject(asObject(body).tracker);
    const code = typeof input.tracking_code === 'string' ? input.tracking_code : '';
    if (code === '')
      return apiError(422, 'TRACKER.CREATE.ERROR', 'tracking_code is required.', [{ field: 'tracking_code', message: 'required' }]);
    const carrier = typeof input.carrier === 'string' ? input.carrier : code.startsWith('1Z') ? 'UPS' : 'USPS';
    const existing = this.trackersByCode.get(`${carrier}|${code}`);
    if (existing !== undefined) return { status: 200, body: existing };
    const tracker = trackerObject(code, carrier, testTrackingStatuses[code] ?? 'unknown', null);
    this.rememberTracker(tracker);
    return { status: 201, body: tracker };
  }
}

/** The request handling: authentication, faults, routing to `FakeState`, recording. */
class FakeServer {
  readonly calls: RecordedCall[] = [];
  readonly timers = new Set<NodeJS.Timeout>();
  faults: { fault: Fault; left: number }[] = [];
  readonly #expected: string;

  constructor(
    readonly state: FakeState,
    apiKey: string,
  ) {
    this.#expected = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
  }

  takeFault(route: FakeRoute): FaultAction | undefined {
    const entry = this.faults.find((f) => (f.fault.route === route || f.fault.route === 'any') && f.left > 0);
    if (entry === undefined) return undefined;
    entry.left -= 1;
    return entry.fault.action;
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  act(route: FakeRoute, id: string | undefined, body: unknown): Reply {
    const { state } = this;
    if (route === 'create_shipment') return state.createShipment(body);
    if (route === 'retrieve_shipment')
      return id !== undefined && state.shipments.has(id) ? { status: 200, body: state.shipments.get(id) } : notFound();
    if (route === 'buy' && id !== undefined) return state.buy(id, body);
    if (route === 'refund' && id !== undefined) return state.refund(id);
    if (route === 'create_tracker') return state.createTracker(body);
    if (route === 'retrieve_tracker')
      return id !== undefined && state.trackers.has(id) ? { status: 200, body: state.trackers.get(id) } : notFound();
    return notFound();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const { route, id } = routeOf(method, path);
    const authorized = req.headers.authorization === this.#expected;
    const body = await readBody(req);
    this.calls.push({ method, path, route, authorized, body: body.ok ? body.value : undefined, at: Date.now() });
    if (route === 'file') return sendFile(res, path);
    if (!authorized) return send(res, apiError(401, 'APIKEY.REQUIRED', 'Invalid or missing API Key.'));
    if (!body.ok) return send(res, body.reply);
    const fault = this.takeFault(route);
    if (fault?.kind === 'error') return send(res, apiError(fault.status, fault.code, fault.message));
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'redirect') return void res.writeHead(302, { location: fault.location }).end();
    if (fault?.kind === 'hang') {
      await this.wait(fault.ms);
      return send(res, apiError(504, 'TIMEOUT', 'Gateway timeout.'));
    }
    const reply = this.act(route, id, body.value);
    if (fault?.kind === 'delay') await this.wait(fault.ms);
    if (fault?.kind === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>upstream error</html>');
    return send(res, reply);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendFile(res: ServerResponse, path: string): void {
  const file = fakeFiles[path.split('.').pop() ?? ''];
  if (file === undefined) {
    send(res, notFound());
    return;
  }
  res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
  res.end(file.body);
}

export async function startFakeEasyPost(options: FakeEasyPostOptions = {}): Promise<FakeEasyPost> {
  const apiKey = options.apiKey ?? 'EZTK_fake_test_key';
  let baseUrl = '';
  const state = new FakeState(() => baseUrl);
  const fake = new FakeServer(state, apiKey);
  const server = createServer((req, res) => {
    fake.handle(req, res).catch((error: unknown) => send(res, apiError(500, 'INTERNAL', String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    apiKey,
    calls: fake.calls,
    inject: (fault) => {
      fake.faults.push({ fault, left: fault.times ?? 1 });
    },
    clearFaults: () => {
      fake.faults = [];
    },
    purchases: (shipmentId) =>
      shipmentId === undefined ? [...state.purchases.values()].reduce((a, b) => a + b, 0) : (state.purchases.get(shipmentId) ?? 0),
    shipment: (id) => state.shipments.get(id),
    tracker: (code) => [...state.trackers.values()].find((t) => t.tracking_code === code),
    close: async () => {
      for (const timer of fake.timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
