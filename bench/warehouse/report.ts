/**
 * The warehouse figures as plain data and as a printable table: every figure with its target (issue 3,
 * Performance) and PASS/MISS, then the flow stage by stage with what its time is made of.
 */
import type { CartonizationResult } from './cartonization.js';
import type { CommitCeiling } from './commit-ceiling.js';
import type { FlowResult, StageResult } from './flow.js';
import type { RendererResults } from './labels.js';

export type Verdict = 'PASS' | 'MISS' | 'n/a' | '-';

export interface WarehouseTarget {
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  readonly verdict: Verdict;
}

export interface FlowEntry {
  readonly dialect: 'sqlite' | 'postgres';
  /** Why the flow did not run on this dialect. */
  readonly skipped?: string | undefined;
  /** Why it ran on a subset of the sample, when it did. */
  readonly subset?: string | undefined;
  readonly result?: FlowResult | undefined;
}

/** Labels per second through buyLabels on the table-rate carrier, then fetching the file, per dialect. */
export interface EndToEndLabels {
  readonly dialect: 'sqlite' | 'postgres';
  readonly bought: number;
  /** buyLabels only (rate, intent, carrier, store). */
  readonly buyPerSecond: number;
  /** Bought, then the ZPL fetched. */
  readonly zplPerSecond: number;
  /** Bought, then the PDF fetched (rendered on request for the table-rate carrier). */
  readonly pdfPerSecond: number;
}

export interface WarehouseBenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly loadAvgStart: readonly number[];
    readonly loadAvgEnd: readonly number[];
  };
  readonly options: Record<string, unknown>;
  readonly cartonization: CartonizationResult | null;
  readonly renderers: RendererResults | null;
  readonly commitCeiling: CommitCeiling | null;
  readonly flows: readonly FlowEntry[];
  readonly endToEnd: readonly EndToEndLabels[];
  readonly targets: readonly WarehouseTarget[];
  /** What makes a figure untrustworthy (failed checks, refused operations, missing data). */
  readonly problems: readonly string[];
}

export const labelsPerSecondMin = 500;
export const flowSecondsMax = 60;
export const sampleOrders = 9_889;

const names = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (pass: boolean): Verdict => (pass ? 'PASS' : 'MISS');

export function endToEndLabels(flow: FlowResult): EndToEndLabels | undefined {
  const bought = flow.stages.find((s) => s.name === 'labels bought');
  if (!bought || bought.operations === 0) return undefined;
  const buy = bought.seconds / bought.operations;
  const perFile = (f: FlowResult['labelFiles']['pdf']) => (f.files > 0 ? f.seconds / f.files : 0);
  return {
    dialect: flow.dialect,
    bought: bought.operations,
    buyPerSecond: 1 / buy,
    zplPerSecond: 1 / (buy + perFile(flow.labelFiles.zpl)),
    pdfPerSecond: 1 / (buy + perFile(flow.labelFiles.pdf)),
  };
}

export function warehouseTargets(
  results: Pick<WarehouseBenchResults, 'cartonization' | 'renderers' | 'flows' | 'endToEnd'>,
): WarehouseTarget[] {
  const rows: WarehouseTarget[] = [];
  const rate = `>= ${labelsPerSecondMin} labels/s`;
  const c = results.cartonization;
  if (c) {
    rows.push({
      figure: `cartonization per order (${int(c.orders)} Olist orders, standard catalog)`,
      measured: `${c.perOrderMs.mean.toFixed(3)} ms mean, p50 ${c.perOrderMs.p50.toFixed(3)}, p99 ${c.perOrderMs.p99.toFixed(2)}, max ${c.perOrderMs.max.toFixed(1)} ms`,
      target: '(none set)',
      verdict: '-',
    });
  }
  const r = results.renderers;
  if (r) {
    rows.push({
      figure: 'labels/s PDF, renderer, one file per label',
      measured: `${int(r.pdf.labelsPerSecond)}/s`,
      target: rate,
      verdict: verdict(r.pdf.labelsPerSecond >= labelsPerSecondMin),
    });
    rows.push({
      figure: `labels/s PDF, renderer, ${r.pdfBatched.labelsPerFile} labels per file`,
      measured: `${int(r.pdfBatched.labelsPerSecond)}/s`,
      target: rate,
      verdict: verdict(r.pdfBatched.labelsPerSecond >= labelsPerSecondMin),
    });
    rows.push({
      figure: 'labels/s ZPL, renderer',
      measured: `${int(r.zpl.labelsPerSecond)}/s`,
      target: rate,
      verdict: verdict(r.zpl.labelsPerSecond >= labelsPerSecondMin),
    });
  }
  for (const e of results.endToEnd) {
    const n = names[e.dialect];
    rows.push({
      figure: `labels/s PDF end to end, ${n} (buyLabels + PDF file)`,
      measured: `${int(e.pdfPerSecond)}/s`,
      target: rate,
      verdict: verdict(e.pdfPerSecond >= labelsPerSecondMin),
    });
    rows.push({
      figure: `labels/s ZPL end to end, ${n} (buyLabels + ZPL file)`,
      measured: `${int(e.zplPerSecond)}/s`,
      target: rate,
      verdict: verdict(e.zplPerSecond >= labelsPerSecondMin),
    });
  }
  for (const f of results.flows) {
    const n = names[f.dialect];
    const figure = `full pick-pack-ship flow, ${n}`;
    if (!f.result) {
      rows.push({
        figure,
        measured: `not run: ${f.skipped ?? '?'}`,
        target: f.dialect === 'sqlite' ? `< ${flowSecondsMax} s for 10k` : '(none set)',
        verdict: 'n/a',
      });
      continue;
    }
    const full = f.result.orders >= sampleOrders;
    const measured = `${f.result.flowSeconds.toFixed(1)} s for ${int(f.result.orders)} orders${full ? '' : ' (a subset, see below)'}`;
    if (f.dialect !== 'sqlite') rows.push({ figure, measured, target: '(none set)', verdict: '-' });
    else
      rows.push({
        figure,
        measured,
        target: `< ${flowSecondsMax} s for 10k`,
        verdict: full ? verdict(f.result.flowSeconds < flowSecondsMax) : 'n/a',
      });
  }
  return rows;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightFrom = 1): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i >= rightFrom && i < cells.length ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function stageRows(stages: readonly StageResult[]): string[][] {
  return stages.map((s) => [
    s.name,
    int(s.operations),
    s.seconds.toFixed(2),
    s.operations > 0 ? ((1000 * s.seconds) / s.operations).toFixed(2) : '-',
    int(s.transactions),
    s.commitSeconds.toFixed(2),
    s.cpuSeconds.toFixed(2),
  ]);
}

function flowSection(entry: FlowEntry, ceiling: CommitCeiling | null): string[] {
  const f = entry.result;
  if (!f) return [`${names[entry.dialect]} flow: not run (${entry.skipped ?? '?'})`];
  const c = f.counts;
  const transactions = f.stages.reduce((s, r) => s + r.transactions, 0);
  const commit = f.stages.reduce((s, r) => s + r.commitSeconds, 0);
  const cpu = f.stages.reduce((s, r) => s + r.cpuSeconds, 0);
  const lines = [
    `${names[f.dialect]} flow: ${int(f.orders)} orders, ${int(f.lines)} lines, ${f.stations} ${f.stations === 1 ? 'station' : 'stations'} at once${entry.subset ? ` (${entry.subset})` : ''}`,
    ...table(
      ['stage', 'count', 'seconds', 'ms each', 'transactions', 'commit s', 'CPU s'],
      [
        ...stageRows(f.stages),
        ['pick-pack-ship total', '', f.flowSeconds.toFixed(2), '', int(transactions), commit.toFixed(2), cpu.toFixed(2)],
      ],
    ),
    `  setup, not in the flow figure: ${f.setup.map((s) => `${s.name} ${s.seconds.toFixed(1)} s`).join(', ')}`,
    `  waves ${int(c.waves)}, pick lists ${int(c.pickLists)}, walk ${int(c.walkMm / 1000)} m (naive order ${int(c.naiveWalkMm / 1000)} m); ` +
      `${int(c.parcels)} parcels, ${int(c.labels)} labels, ${int(c.shipments)} shipments, manifest of ${int(c.manifestParcels)} parcels`,
    `  packed whole ${int(c.packedWhole)} orders, partly ${int(c.packedPartly)} (some units fit no box), not packable: ${int(c.noBox)} (no unit fits a box), ` +
      `${int(c.noRate)} (no service of the rate sheet takes the parcel)`,
    `  checks: inventory verify ${f.inventoryVerified ? 'ok' : 'FAILED'}; order statuses ${Object.entries(f.orderStatuses)
      .map(([k, v]) => `${k} ${int(v)}`)
      .join(', ')}`,
    `  served label PDFs byte for byte the carrier's own: ${f.pdfSameAsCarrier.same} of ${f.pdfSameAsCarrier.checked}; carrier buyLabel (rate again, ZPL) ${f.carrierLabelSeconds.toFixed(2)} s summed over the stations; label files: PDF ${((1000 * f.labelFiles.pdf.seconds) / Math.max(1, f.labelFiles.pdf.files)).toFixed(2)} ms each ` +
      `(${int(f.labelFiles.pdf.bytesPerFile)} B), ZPL ${((1000 * f.labelFiles.zpl.seconds) / Math.max(1, f.labelFiles.zpl.files)).toFixed(2)} ms each (${int(f.labelFiles.zpl.bytesPerFile)} B)`,
  ];
  if (f.dialect === 'sqlite' && ceiling) {
    lines.push(
      `  where the time goes: ${int(transactions)} durable transactions (${(transactions / f.orders).toFixed(1)} per order), ${commit.toFixed(1)} s summed from the end of a body to its durable answer ` +
        `(overlapping: groups share one commit and one fdatasync, ADR 0011); a bare FULL commit costs ${ceiling.msPerCommit.toFixed(2)} ms on this disk now, so ${((transactions * ceiling.msPerCommit) / 1000).toFixed(1)} s would be the floor for one fsync each; CPU ${cpu.toFixed(1)} s`,
    );
  }
  for (const s of f.stages) {
    if (!s.sql && !s.cpuProfile) continue;
    lines.push(
      `  profile of "${s.name}": ${s.sql ? `${int(s.sql.queries)} queries, ${(s.sql.ms / 1000).toFixed(2)} s in them` : ''}${s.cpuProfile ? `; CPU profile ${s.cpuProfile}` : ''}`,
    );
    for (const q of s.sql?.statements.slice(0, 6) ?? [])
      lines.push(`    ${q.ms.toFixed(0).padStart(6)} ms ${int(q.count).padStart(7)}x  ${q.sql.slice(0, 110)}`);
  }
  return lines;
}

export function formatWarehouseReport(results: WarehouseBenchResults): string {
  const m = results.machine;
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(1)).join(' ');
  const lines = [
    'Warehouse (issue 3, Performance)',
    `machine: ${m.cpus} x ${m.cpuModel}, Node ${m.node}; load average ${load(m.loadAvgStart)} at the start, ${load(m.loadAvgEnd)} at the end` +
      (m.loadAvgStart[0] !== undefined && m.loadAvgStart[0] > m.cpus / 2
        ? ' (shared with other work: figures are lower than on an idle machine)'
        : ''),
    '',
    ...table(
      ['figure', 'measured', 'target', ''],
      results.targets.map((t) => [t.figure, t.measured, t.target, t.verdict]),
      4,
    ),
  ];
  const r = results.renderers;
  if (r) {
    lines.push(
      '',
      `renderers (median of rounds; labels/s per round): PDF ${int(r.pdf.labels)} labels, ${int(r.pdf.bytesPerLabel)} B each [${r.pdf.rounds.join(', ')}]; ` +
        `batched ${int(r.pdfBatched.bytesPerLabel)} B per label [${r.pdfBatched.rounds.join(', ')}]; ZPL ${int(r.zpl.labels)} labels, ${int(r.zpl.bytesPerLabel)} B each [${r.zpl.rounds.join(', ')}]`,
    );
  }
  const c = results.cartonization;
  if (c) {
    lines.push(
      `cartonization: ${int(c.orders)} orders, ${int(c.units)} units: ${int(c.packed)} get ${int(c.parcels)} parcels, ${int(c.unpackable)} have a unit that fits no box; ` +
        `${(c.totalMs / 1000).toFixed(2)} s in all; slowest order ${c.slowest.units} units, ${c.slowest.ms.toFixed(1)} ms`,
    );
  }
  if (results.commitCeiling)
    lines.push(`SQLite bare durable commit (WAL, synchronous FULL, this disk, now): ${results.commitCeiling.msPerCommit.toFixed(3)} ms`);
  for (const e of results.endToEnd) {
    lines.push(`${names[e.dialect]} end to end: ${int(e.bought)} labels bought at ${int(e.buyPerSecond)}/s (buyLabels alone)`);
  }
  for (const f of results.flows) lines.push('', ...flowSection(f, results.commitCeiling));
  if (results.problems.length > 0) lines.push('', 'PROBLEMS (figures may be wrong):', ...results.problems.map((p) => `  - ${p}`));
  return lines.join('\n');
}
