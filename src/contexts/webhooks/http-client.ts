import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { webhookLimits } from './config.js';
import { type AddressClass, classifyAddress, unbracket } from './domain/address.js';

/**
 * The one way a webhook leaves the server: a POST that never follows redirects, gives up after a deadline,
 * reads at most a bounded response, and (unless private targets are allowed) connects only to public
 * addresses. Host names are resolved by a `lookup` that checks every address and hands the socket only the
 * checked ones, so a DNS answer that changes between a check and the connect (rebinding) cannot slip through.
 */
export interface PostOptions {
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  readonly excerptBytes: number;
  readonly readBytesMax: number;
}

export interface PostResult {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** The first `excerptBytes` of the body, as text. */
  readonly excerpt: string;
}

/** A refusal before any byte was sent: the error says why (bad scheme, private address...). */
export class DeliveryRefused extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'DeliveryRefused';
    this.reason = reason;
  }
}

export class DeliveryTimeout extends Error {
  constructor(ms: number) {
    super(`no complete response within ${ms} ms`);
    this.name = 'DeliveryTimeout';
  }
}

const agentOptions = {
  keepAlive: true,
  maxSockets: webhookLimits.socketsPerHostMax,
  maxFreeSockets: webhookLimits.socketsPerHostMax,
  scheduling: 'lifo',
} as const;
// Separate pools for guarded and open sending: a connection opened while private targets were allowed is
// never reused by a guarded request.
const agents = {
  guarded: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
  open: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
};

function refusedAddress(host: string, address: string, kind: AddressClass): DeliveryRefused {
  const where = host === address ? address : `${host} (${address})`;
  return new DeliveryRefused(
    'private_address',
    `refused: ${where} is a ${kind} address; set WEBHOOKS_ALLOW_PRIVATE=1 to allow private targets`,
  );
}

/** A `lookup` for sockets that fails unless every address of the name is public. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const list = addresses ?? [];
    for (const a of list) {
      const kind = classifyAddress(a.address);
      if (kind !== 'public') return callback(refusedAddress(hostname, a.address, kind), '', 0);
    }
    if (list.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};

/** Checks the URL before connecting: scheme, and a literal IP host against the address rules. */
export function checkTarget(url: URL, allowPrivate: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DeliveryRefused('scheme', `refused: ${url.protocol} is not http or https`);
  if (url.username || url.password) throw new DeliveryRefused('credentials', 'refused: the URL carries credentials');
  const host = unbracket(url.hostname);
  if (!allowPrivate && isIP(host) !== 0) {
    const kind = classifyAddress(host);
    if (kind !== 'public') throw refusedAddress(host, host, kind);
  }
}

export function postJson(url: URL, body: string, headers: Record<string, string>, options: PostOptions): Promise<PostResult> {
  checkTarget(url, options.allowPrivate);
  const secure = url.protocol === 'https:';
  const client = secure ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result as PostResult);
    };
    const request = client.request(url, {
      method: 'POST',
      agent: agents[options.allowPrivate ? 'open' : 'guarded'][secure ? 'https' : 'http'],
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    const timer = setTimeout(() => {
      const error = new DeliveryTimeout(options.timeoutMs);
      request.destroy(error);
      finish(error);
    }, options.timeoutMs);
    request.on('error', (error) => finish(error));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () =>
        finish(null, {
          status: response.statusCode ?? 0,
          headers: response.headers,
          excerpt: excerptOf(Buffer.concat(chunks), options.excerptBytes),
        });
      response.on('data', (chunk: Buffer) => {
        if (read < options.excerptBytes) chunks.push(chunk);
        read += chunk.length;
        // A receiver that streams megabytes does not hold the worker: keep the status, drop the connection.
        if (read > options.readBytesMax) {
          response.destroy();
          done();
        }
      });
      response.on('end', done);
      response.on('error', (error) => finish(error));
      response.on('close', () => {
        if (!response.complete) finish(new Error('the connection closed before the response ended'));
      });
    });
    request.end(body);
  });
}

/** The first bytes as text, cut at a character boundary. */
function excerptOf(bytes: Buffer, max: number): string {
  if (bytes.length === 0) return '';
  return bytes
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
