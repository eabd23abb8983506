/**
 * What one durable SQLite commit costs on this disk right now: the raw driver, WAL with synchronous=FULL
 * (the application's settings), one small indexed row per transaction, in a file next to the bench
 * databases. The warehouse flow makes several such commits per order, so this is its floor.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

export interface CommitCeiling {
  readonly commits: number;
  readonly msPerCommit: number;
}

export function measureCommitCeiling(commits: number): CommitCeiling {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-commit-'));
  const db = new Database(path.join(dir, 'commit.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table t (id integer primary key, k text not null, v text not null)');
    db.exec('create index t_k on t (k)');
    const insert = db.prepare('insert into t (k, v) values (?, ?)');
    const begin = db.prepare('begin immediate');
    const commit = db.prepare('commit');
    const start = performance.now();
    for (let i = 0; i < commits; i += 1) {
      begin.run();
      insert.run(`k${(i * 7919) % commits}`, 'x'.repeat(200));
      commit.run();
    }
    return { commits, msPerCommit: (performance.now() - start) / commits };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
