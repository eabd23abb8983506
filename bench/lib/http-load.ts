import autocannon, { type AutocannonResult } from 'autocannon';

export interface HttpLoadOptions {
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** The body and extra headers of request number n (unique per request: n never repeats within a load). */
  readonly request: (n: number) => { body: string; headers?: Record<string, string> };
  readonly headers?: Record<string, string>;
  /** The status every request should get (201 for order intake). */
  readonly expectStatus: number;
  /** Called between the warm-up and the measured window. */
  readonly onMeasureStart?: () => Promise<void>;
}

export interface HttpLoadResult {
  /** Responses with the expected status per second of the measured window. */
  readonly throughput: number;
  readonly expected: number;
  readonly seconds: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  /** Every status seen in the measured window, and connection errors and timeouts. */
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** Requests answered with the expected status, warm-up included: what the database must hold afterwards. */
  readonly acknowledgedTotal: number;
  readonly unexpected: number;
}

async function fire(options: HttpLoadOptions, durationS: number, next: () => number): Promise<AutocannonResult> {
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: durationS,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: options.path,
        setupRequest: (request) => {
          const { body, headers } = options.request(next());
          return { ...request, body, headers: { ...request.headers, ...options.headers, ...headers } };
        },
      },
    ],
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * A warm-up (JIT, connection pools, page cache) and then a measured window at a fixed concurrency, with the
 * load generator in this process and the server in its own. Latency comes from autocannon's histogram of the
 * measured window.
 */
export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  let n = 0;
  const next = () => {
    n += 1;
    return n;
  };
  let warmupAcked = 0;
  let warmupUnexpected = 0;
  if (options.warmupS > 0) {
    const warm = await fire(options, options.warmupS, next);
    warmupAcked = warm.statusCodeStats[String(options.expectStatus)]?.count ?? 0;
    warmupUnexpected =
      warm.errors +
      warm.timeouts +
      Object.entries(warm.statusCodeStats).reduce((sum, [code, s]) => (code === String(options.expectStatus) ? sum : sum + s.count), 0);
  }
  await options.onMeasureStart?.();
  const result = await fire(options, options.durationS, next);
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const expected = statuses[String(options.expectStatus)] ?? 0;
  const unexpected =
    warmupUnexpected +
    result.errors +
    result.timeouts +
    Object.entries(statuses).reduce((sum, [code, count]) => (code === String(options.expectStatus) ? sum : sum + count), 0);
  return {
    throughput: expected / result.duration,
    expected,
    seconds: result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.mean,
      max: result.latency.max,
    },
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    acknowledgedTotal: warmupAcked + expected,
    unexpected,
  };
}
