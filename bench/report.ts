import type { BenchResults, DialectResults, IntakeMeasurement } from './harness.js';

export interface Comparison {
  readonly measurement: string;
  readonly value: number;
  readonly unit: string;
  readonly latency?: { readonly p50: number; readonly p99: number };
  readonly ceiling: string;
  readonly ceilingValue: number;
  readonly ratio: number;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const names = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/** Each result next to the ceilings it should be compared with. */
export function comparisons(results: BenchResults): Comparison[] {
  const rows: Comparison[] = [];
  const bare = results.bare.throughput;
  const add = (measurement: string, value: number, ceiling: string, ceilingValue: number, latency?: IntakeMeasurement['latencyMs']) =>
    rows.push({
      measurement,
      value,
      unit: 'orders/s',
      ...(latency ? { latency: { p50: latency.p50, p99: latency.p99 } } : {}),
      ceiling,
      ceilingValue,
      ratio: ceilingValue > 0 ? value / ceilingValue : 0,
    });
  for (const d of results.dialects) {
    if (!d.raw || !d.intake || !d.hot || !d.batchHttp || !d.import) continue;
    const n = names[d.dialect];
    const perOrder = d.dialect === 'sqlite' ? 'raw, 1 transaction per order' : 'raw, 1 round trip per order';
    add(`${n} HTTP intake`, d.intake.throughput, 'bare Fastify', bare, d.intake.latencyMs);
    add(`${n} HTTP intake`, d.intake.throughput, perOrder, d.raw.perOrder.throughput, d.intake.latencyMs);
    add(`${n} HTTP intake, 3 hot SKUs`, d.hot.throughput, 'bare Fastify', bare, d.hot.latencyMs);
    add(`${n} HTTP intake, 3 hot SKUs`, d.hot.throughput, perOrder, d.raw.perOrder.throughput, d.hot.latencyMs);
    add(`${n} HTTP intake, 3 hot SKUs`, d.hot.throughput, `${perOrder}, hot SKUs`, d.raw.perOrderHot.throughput, d.hot.latencyMs);
    add(`${n} bulk import (importOrders)`, d.import.throughput, 'raw, 1,000 orders per transaction', d.raw.batched.throughput);
    add(`${n} POST /v1/orders/batch`, d.batchHttp.throughput, 'raw, 1,000 orders per transaction', d.raw.batched.throughput);
  }
  return rows;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (r: number) => `${Math.round(r * 100)}%`;

/** The targets (issue 2, Performance) with PASS/MISS, plus the correctness checks every figure relies on. */
export function targets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const get = (dialect: DialectResults['dialect']) => results.dialects.find((d) => d.dialect === dialect && !d.skipped);
  const sqlite = get('sqlite');
  if (sqlite?.intake && sqlite.hot) {
    for (const [label, m] of [
      ['SQLite HTTP intake >= 5,000 orders/s with p99 < 50 ms', sqlite.intake],
      ['SQLite HTTP intake on 3 hot SKUs >= 5,000 orders/s with p99 < 50 ms (same bar as intake)', sqlite.hot],
    ] as const) {
      checks.push({
        target: label,
        measured: `${fmt(m.throughput)}/s, p99 ${m.latencyMs.p99} ms`,
        pass: m.throughput >= 5_000 && m.latencyMs.p99 < 50,
      });
    }
  }
  const postgres = get('postgres');
  if (postgres?.intake && postgres.hot && postgres.raw) {
    const ceiling = postgres.raw.perOrder.throughput;
    for (const [label, m] of [
      ['PostgreSQL HTTP intake >= 70% of the raw one-round-trip ceiling', postgres.intake],
      ['PostgreSQL HTTP intake on 3 hot SKUs >= 70% of the raw one-round-trip ceiling (spread SKUs)', postgres.hot],
    ] as const) {
      checks.push({
        target: label,
        measured: `${fmt(m.throughput)}/s = ${pct(m.throughput / ceiling)} of ${fmt(ceiling)}/s, p99 ${m.latencyMs.p99} ms`,
        pass: m.throughput >= 0.7 * ceiling,
      });
    }
  }
  for (const d of [sqlite, postgres]) {
    if (!d?.import || !d.raw) continue;
    const ceiling = d.raw.batched.throughput;
    checks.push({
      target: `${names[d.dialect]} bulk import >= 50% of the raw batched ceiling`,
      measured: `${fmt(d.import.throughput)}/s = ${pct(d.import.throughput / ceiling)} of ${fmt(ceiling)}/s`,
      pass: d.import.throughput >= 0.5 * ceiling,
    });
  }
  for (const d of [sqlite, postgres]) {
    if (!d?.intake || !d.hot) continue;
    const runs = [d.intake, d.hot];
    const unexpected = runs.reduce((s, m) => s + m.unexpected, 0);
    const lost = runs.reduce((s, m) => s + Math.max(0, m.acknowledgedTotal - m.storedOrders), 0);
    checks.push({
      target: `${names[d.dialect]}: no non-201 answer, every acknowledged order in the database`,
      measured: `${unexpected} unexpected, ${lost} missing of ${fmt(runs.reduce((s, m) => s + m.acknowledgedTotal, 0))}`,
      pass: unexpected === 0 && lost === 0,
    });
  }
  return checks;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(
    `Fulfill bench, ${results.startedAt}: ${m.cpus} x ${m.cpuModel}, Node ${m.node}, load average ${m.loadAvgStart.map((l) => l.toFixed(2)).join(' ')} at start, ${m.loadAvgEnd.map((l) => l.toFixed(2)).join(' ')} at end`,
  );
  out.push(
    `${results.options.durationS} s measured after ${results.options.warmupS} s warm-up; ${results.options.connections} HTTP connections; load generator in this process, each server in its own.`,
  );
  out.push('');
  out.push(
    `Ceilings: bare Fastify ${fmt(results.bare.throughput)} req/s (p50 ${results.bare.latencyMs.p50} ms, p99 ${results.bare.latencyMs.p99} ms)`,
  );
  for (const d of results.dialects) {
    if (d.skipped) {
      out.push(`  ${names[d.dialect]}: SKIPPED (${d.skipped})`);
      continue;
    }
    if (!d.raw) continue;
    const one =
      d.dialect === 'sqlite' ? '1 transaction per order' : `1 round trip per order (${results.options.postgresRawClients} connections)`;
    out.push(`  ${names[d.dialect]} server commits with ${JSON.stringify(d.durability ?? {})}`);
    out.push(
      `  ${names[d.dialect]} raw driver: ${fmt(d.raw.perOrder.throughput)}/s ${one}, ${fmt(d.raw.perOrderHot.throughput)}/s on hot SKUs, ${fmt(d.raw.batched.throughput)}/s with ${results.options.batchOrders} orders per transaction`,
    );
  }
  out.push('');
  out.push(
    table(
      ['measurement', 'orders/s', 'p50 ms', 'p99 ms', 'ceiling', 'ceiling/s', 'ratio'],
      comparisons(results).map((c) => [
        c.measurement,
        fmt(c.value),
        c.latency ? String(c.latency.p50) : '',
        c.latency ? String(c.latency.p99) : '',
        c.ceiling,
        fmt(c.ceilingValue),
        pct(c.ratio),
      ]),
      new Set([1, 2, 3, 5, 6]),
    ),
  );
  out.push('');
  const groupRows: string[][] = [];
  for (const d of results.dialects) {
    for (const [label, run] of [
      ['intake', d.intake],
      ['hot SKUs', d.hot],
    ] as const) {
      if (!run) continue;
      const s = run.server;
      groupRows.push([
        `${names[d.dialect]} ${label}`,
        fmt(s.intakeBatches),
        (s.ordersSubmitted / Math.max(1, s.intakeBatches)).toFixed(1),
        (s.transactionMs / Math.max(1, s.transactions)).toFixed(1),
        Object.entries(s.batchSizes)
          .map(([k, v]) => `${k}:${v}`)
          .join(' '),
      ]);
    }
  }
  if (groupRows.length > 0) {
    out.push('Group commit in the server during the measured window:');
    out.push(table(['run', 'batches', 'orders/batch', 'ms to durable', 'batch sizes (orders:count)'], groupRows, new Set([1, 2, 3])));
    out.push('');
  }
  const sqlRows: string[][] = [];
  for (const d of results.dialects) {
    for (const [label, run] of [
      ['intake', d.intake],
      ['hot SKUs', d.hot],
    ] as const) {
      if (!run || Object.keys(run.server.sql ?? {}).length === 0) continue;
      const tx = Math.max(1, run.server.intakeBatches);
      const window = Math.max(1, run.server.windowMs);
      for (const [kind, t] of Object.entries(run.server.sql).sort((a, b) => b[1].ms - a[1].ms)) {
        sqlRows.push([`${names[d.dialect]} ${label}`, kind, (t.count / tx).toFixed(1), (t.ms / tx).toFixed(2), pct(t.ms / window)]);
      }
    }
  }
  if (sqlRows.length > 0) {
    out.push('Statement time in the server (--profile): per group-commit transaction, and share of the measured window:');
    out.push(table(['run', 'statement', 'per tx', 'ms per tx', 'of window'], sqlRows, new Set([2, 3, 4])));
    out.push('');
  }
  out.push('Targets (issue 2, Performance):');
  out.push(
    table(
      ['', 'target', 'measured'],
      targets(results).map((t) => [t.pass ? 'PASS' : 'MISS', t.target, t.measured]),
      new Set(),
    ),
  );
  if (results.problems.length > 0) {
    out.push('');
    out.push('PROBLEMS (figures above are not trustworthy until these are fixed):');
    for (const p of results.problems) out.push(`  - ${p}`);
  }
  return out.join('\n');
}
