/**
 * Where a stage's database time goes: a Kysely plugin that times every query between compile and result and
 * groups them by SQL text (IN lists folded), so per-order queries and slow statements show up by name. Used
 * only with --profile: compiling every query twice costs a little.
 */
import { performance } from 'node:perf_hooks';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

export interface SqlTiming {
  readonly sql: string;
  readonly count: number;
  readonly ms: number;
}

type Compile = (node: RootOperationNode, queryId: PluginTransformQueryArgs['queryId']) => string;

const foldLists = (sql: string) => sql.replace(/\((?:\?|\$\d+)(?:, (?:\?|\$\d+))+\)/g, '(…)').replace(/\s+/g, ' ');

export class SqlProfile implements KyselyPlugin {
  readonly #started = new WeakMap<object, { at: number; node: RootOperationNode }>();
  #bySql = new Map<string, { count: number; ms: number }>();

  constructor(private readonly compile: Compile) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId, { at: performance.now(), node: args.node });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(args.queryId);
    if (started) {
      const ms = performance.now() - started.at;
      const key = foldLists(this.compile(started.node, args.queryId));
      const entry = this.#bySql.get(key) ?? { count: 0, ms: 0 };
      entry.count += 1;
      entry.ms += ms;
      this.#bySql.set(key, entry);
    }
    return args.result;
  }

  /** The statements since the last call, most time first, and starts over. */
  take(top: number): { readonly statements: readonly SqlTiming[]; readonly queries: number; readonly ms: number } {
    const all = [...this.#bySql].map(([sql, e]) => ({ sql, count: e.count, ms: e.ms }));
    this.#bySql = new Map();
    return {
      statements: all.sort((a, b) => b.ms - a.ms).slice(0, top),
      queries: all.reduce((s, e) => s + e.count, 0),
      ms: all.reduce((s, e) => s + e.ms, 0),
    };
  }
}
