/**
 * Transactions under load on both databases. On SQLite concurrent transactions share commits (savepoint per
 * transaction, see src/storage/db.ts): the semantics must be exactly those of separate transactions. One
 * that throws leaves nothing behind and fails alone; the others commit; a transaction sees what the ones
 * before it wrote; and a caller is answered only after its work is durable.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/storage/index.js';
import { forUpdate, openDb } from '../../src/storage/index.js';
import { WalSync } from '../../src/storage/sqlite-durability.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../support/dialects.js';

for (const dialect of await testDialects()) {
  describe(`transactions (${dialect})`, () => {
    let database: TestDatabase;
    let db: Db;
    before(async () => {
      database = await createTestDatabase(dialect);
      db = await openDb(
        database.sqliteFile
          ? { sqliteFile: database.sqliteFile }
          : { databaseUrl: database.databaseUrl, searchPath: database.searchPath as string, poolSize: 8 },
      );
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    const put = (tx: Parameters<Parameters<Db['transaction']>[0]>[0], key: string, value: string) =>
      tx.insertInto('settings').values({ key, value, created_at: '2026-01-01T00:00:00.000Z' }).execute();

    test('of 300 concurrent transactions, the failing ones leave nothing and the others all commit', async () => {
      // Committed before the run: on PostgreSQL the transactions really run at once, so a key one of them
      // inserted could be taken by a "duplicate" that happened to run first.
      await db.transaction((tx) => put(tx, 'taken', 'before the run'));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 300 }, (_, i) =>
          db.transaction(async (tx) => {
            await put(tx, `k${i}`, 'first');
            await put(tx, `k${i}:second`, 'second');
            if (i % 7 === 3) throw new Error(`refused ${i}`);
            if (i % 11 === 5) await put(tx, 'taken', 'duplicate key: a constraint error'); // fails on the unique key
            return i;
          }),
        ),
      );
      const expectedFailures = new Set(Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 7 === 3 || i % 11 === 5));
      for (const [i, outcome] of outcomes.entries()) {
        if (expectedFailures.has(i)) assert.equal(outcome.status, 'rejected', `transaction ${i} fails`);
        else assert.deepEqual(outcome, { status: 'fulfilled', value: i });
      }
      const keys = new Set((await db.read.selectFrom('settings').select('key').execute()).map((r) => r.key));
      for (let i = 0; i < 300; i++) {
        const committed = !expectedFailures.has(i);
        assert.equal(keys.has(`k${i}`), committed, `k${i}`);
        assert.equal(keys.has(`k${i}:second`), committed, `k${i}:second: all or nothing`);
      }
    });

    test('a transaction sees what the ones queued before it wrote, and is answered after its commit', async () => {
      await db.transaction((tx) => put(tx, 'counter', '0'));
      const bump = () =>
        db.transaction(async (tx) => {
          const row = await forUpdate(
            tx.selectFrom('settings').select('value').where('key', '=', 'counter'),
            dialect,
          ).executeTakeFirstOrThrow();
          const next = String(Number(row.value) + 1);
          await tx.updateTable('settings').set({ value: next }).where('key', '=', 'counter').execute();
          return next;
        });
      const seen = await Promise.all(
        Array.from({ length: 100 }, bump).map(async (p) => {
          const value = await p;
          // Answered means durable and visible to a fresh reader.
          const read = await db.read.selectFrom('settings').select('value').where('key', '=', 'counter').executeTakeFirstOrThrow();
          assert.ok(Number(read.value) >= Number(value), `read ${read.value} after commit of ${value}`);
          return Number(value);
        }),
      );
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });
  });
}

describe('SQLite durability (ADR 0011)', () => {
  test('a commit is acknowledged only after an fdatasync of the WAL that started after it', async () => {
    const database = await createTestDatabase('sqlite');
    const db = await openDb({ sqliteFile: database.sqliteFile as string });
    try {
      const mode = await db.durability();
      assert.equal(mode.journal_mode, 'wal');
      assert.equal(mode.synchronous, '1', 'the COMMIT itself does not fsync');
      assert.equal(mode.acknowledged_after, 'wal fdatasync');
      for (let round = 0; round < 5; round += 1) {
        const before = Number((await db.durability()).wal_fdatasyncs);
        const answered = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            db.transaction(async (tx) => {
              await tx
                .insertInto('settings')
                .values({ key: `d${round}-${i}`, value: 'x', created_at: '2026-01-01T00:00:00.000Z' })
                .execute();
              return i;
            }),
          ),
        );
        assert.equal(answered.length, 20);
        const after = Number((await db.durability()).wal_fdatasyncs);
        assert.ok(after > before, `round ${round}: ${after - before} fdatasyncs before the answers`);
      }
    } finally {
      await db.close();
      await database.drop();
    }
  });
});

describe('WalSync', () => {
  test('a commit made while an fdatasync runs waits for the next one, not for the one already under way', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-walsync-'));
    const file = path.join(dir, 'db.sqlite');
    fs.writeFileSync(`${file}-wal`, 'frames');
    const sync = new WalSync(file);
    try {
      const first = sync.afterCommit();
      assert.equal(sync.syncs, 1, 'the first commit starts a sync at once');
      const second = sync.afterCommit();
      const third = sync.afterCommit();
      await first;
      await Promise.all([second, third]);
      assert.equal(sync.syncs, 2, 'the two later commits share the sync that started after them');
      await sync.settled();
    } finally {
      sync.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
