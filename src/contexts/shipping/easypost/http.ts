import { assert } from '../../../kernel/assert.js';
import { shippingLimits } from '../limits.js';
import { type EpError, readError } from './wire.js';

/**
 * The HTTP client for EasyPost: node's fetch, HTTP basic auth with the API key as user name and an empty
 * password, a timeout per attempt (AbortController), redirects refused (a redirect from a label API is
 * never expected and could leak the key), a bounded response size, and bounded retries with exponential
 * backoff only for calls the caller marks as safe to repeat.
 */

export interface EasyPostHttpOptions {
  readonly apiKey: string;
  /** `https://api.easypost.com` in production; tests point it at a local fake. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retriesMax: number;
  readonly retryBackoffMs: number;
}

export type HttpOutcome =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'api_error'; readonly status: number; readonly error: EpError | undefined }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly detail: string }
  | { readonly kind: 'redirect'; readonly status: number }
  | { readonly kind: 'bad_response'; readonly status: number; readonly detail: string };

export interface HttpCall {
  readonly method: 'GET' | 'POST';
  /** Path below the base URL, for example `/v2/shipments`. */
  readonly path: string;
  readonly body?: unknown;
  /** True when repeating the call cannot cause a second effect (a read, a free rating, a deduplicated tracker). */
  readonly retry: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return undefined;
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: text === '' ? null : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const isRetryable = (outcome: HttpOutcome): boolean =>
  outcome.kind === 'timeout' ||
  outcome.kind === 'network' ||
  (outcome.kind === 'api_error' && (outcome.status === 429 || outcome.status >= 500));

export class EasyPostHttp {
  readonly #options: EasyPostHttpOptions;
  readonly #authorization: string;

  constructor(options: EasyPostHttpOptions) {
    const url = new URL(options.baseUrl);
    assert(url.protocol === 'https:' || url.protocol === 'http:', `EasyPost base URL must be http(s): ${options.baseUrl}`);
    assert(options.apiKey.length > 0, 'an EasyPost API key is required');
    assert(
      options.timeoutMs > 0 && options.timeoutMs <= shippingLimits.carrierTimeoutMsMax,
      `timeout must be 1 to ${shippingLimits.carrierTimeoutMsMax} ms`,
    );
    assert(
      options.retriesMax >= 0 && options.retriesMax <= shippingLimits.carrierRetriesMax,
      `at most ${shippingLimits.carrierRetriesMax} retries`,
    );
    assert(options.retryBackoffMs >= 0 && options.retryBackoffMs <= shippingLimits.carrierRetryBackoffMsMax, 'retry backoff out of range');
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.#authorization = `Basic ${Buffer.from(`${options.apiKey}:`).toString('base64')}`;
  }

  /** One call, retried with backoff (50 %, 100 %, 200 % ... of the base) while the outcome is transient. */
  async request(call: HttpCall): Promise<HttpOutcome> {
    const attempts = call.retry ? 1 + this.#options.retriesMax : 1;
    let outcome: HttpOutcome = { kind: 'network', detail: 'not attempted' };
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) await sleep(this.#options.retryBackoffMs * 2 ** (attempt - 1));
      outcome = await this.#attempt(call);
      if (!isRetryable(outcome)) return outcome;
    }
    return outcome;
  }

  async #attempt(call: HttpCall): Promise<HttpOutcome> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.timeoutMs);
    try {
      const response = await fetch(`${this.#options.baseUrl}${call.path}`, {
        method: call.method,
        headers: {
          authorization: this.#authorization,
          accept: 'application/json',
          'user-agent': 'fulfill-shipping/1',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? null : JSON.stringify(call.body),
        redirect: 'manual',
        signal: controller.signal,
      });
      return await this.#outcome(response);
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'timeout' };
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return { kind: 'network', detail: `${error instanceof Error ? error.message : String(error)}${cause}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async #outcome(response: Response): Promise<HttpOutcome> {
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return { kind: 'redirect', status: response.status };
    }
    const text = await readBounded(response, shippingLimits.carrierResponseBytesMax);
    if (text === undefined) return { kind: 'bad_response', status: response.status, detail: 'response body too large' };
    const json = parseJson(text);
    if (response.ok)
      return json.ok
        ? { kind: 'ok', status: response.status, body: json.value }
        : { kind: 'bad_response', status: response.status, detail: 'not JSON' };
    return { kind: 'api_error', status: response.status, error: json.ok ? readError(json.value) : undefined };
  }
}
