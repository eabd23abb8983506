import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every child this process started and has not yet seen exit: killed on any way out. */
const children = new Set<ChildProcess>();
/** Cleanups to run on Ctrl-C or SIGTERM before exiting (dropping the run's databases). */
const interruptCleanups = new Set<() => Promise<void>>();
let hooksInstalled = false;
const interruptCleanupMs = 10_000;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: a plain SIGKILL to each child we started, by pid.
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of children) child.kill('SIGKILL');
      const timeout = new Promise((resolve) => setTimeout(resolve, interruptCleanupMs));
      const cleanups = Promise.allSettled([...interruptCleanups].map((cleanup) => cleanup()));
      void Promise.race([cleanups, timeout]).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/** Runs `cleanup` if the bench is interrupted; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  installExitHooks();
  interruptCleanups.add(cleanup);
  return () => interruptCleanups.delete(cleanup);
}

export interface ServerStats {
  /** Transactions the server ran (every kind), and their total time from request to durable answer. */
  readonly transactions: number;
  /** Intake batches started and the orders they took. */
  readonly intakeBatches: number;
  readonly ordersSubmitted: number;
  readonly transactionMs: number;
  readonly batchSizes: Record<string, number>;
  readonly windowMs: number;
  /** Statement wall time by kind, when the server was started with BENCH_SQL_TIMING=1 (--profile). */
  readonly sql: Record<string, { count: number; ms: number }>;
  /** The server's commit settings read at the end of the window (on SQLite, with the WAL fdatasyncs so far). */
  readonly durability: Record<string, string>;
}

export interface ServerProcess {
  readonly url: string;
  /** The server's commit settings (journal_mode and synchronous, or fsync and synchronous_commit). */
  readonly durability: Record<string, string>;
  readonly pid: number;
  /** Starts a fresh statistics window in the server (group-commit batch sizes, writer busy time). */
  resetStats(): Promise<void>;
  stats(): Promise<ServerStats>;
  /** SIGTERM (the server drains and closes its database), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly env?: Record<string, string>;
  /** Directory for a V8 CPU profile of the server (--cpu-prof), written when it exits. */
  readonly cpuProfileDir?: string | undefined;
  readonly startTimeoutMs?: number;
}

type Message =
  | { type: 'ready'; port: number; durability?: Record<string, string> }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'stats-reset' };

/**
 * Runs one of bench/servers/*.ts in its own Node process (through tsx, so it always runs the current source)
 * and waits until it listens. The child exits by itself when this process goes away (IPC disconnect).
 */
export async function spawnServer(script: string, options: SpawnOptions = {}): Promise<ServerProcess> {
  installExitHooks();
  const args = ['--import', 'tsx'];
  if (options.cpuProfileDir) args.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  args.push(path.join(repoRoot, 'bench', 'servers', script));
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      children.delete(child);
      resolve();
    });
  });
  const waitFor = <T extends Message['type']>(type: T, timeoutMs: number): Promise<Extract<Message, { type: T }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${script}: no ${type} message within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: Message) => {
        if (message.type === type) done(undefined, message as Extract<Message, { type: T }>);
      };
      const onExit = (code: number | null) => done(new Error(`${script} exited with code ${code} before ${type}`));
      function done(error?: Error, message?: Extract<Message, { type: T }>) {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(message as Extract<Message, { type: T }>);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ready = await waitFor('ready', options.startTimeoutMs ?? 60_000);
    return {
      url: `http://127.0.0.1:${ready.port}`,
      durability: ready.durability ?? {},
      pid: child.pid as number,
      async resetStats() {
        const reply = waitFor('stats-reset', 5_000);
        child.send({ type: 'reset-stats' });
        await reply;
      },
      async stats() {
        const reply = waitFor('stats', 5_000);
        child.send({ type: 'get-stats' });
        return (await reply).stats;
      },
      stop,
    };
  } catch (error) {
    await stop(1_000);
    throw error;
  }
}

/** Kills every child still running (normal end of a run, or a failure): SIGTERM first, then SIGKILL. */
export async function stopAllChildren(): Promise<void> {
  const waiting = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  );
  await Promise.all(waiting);
}

export const runningChildren = (): number => children.size;
