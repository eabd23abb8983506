/**
 * Crash safety of the outbox, with the real server process: orders commit, their e-mails and webhooks are
 * claimed and on the wire, and the process is killed (SIGKILL) before any receiver answered. After a restart
 * every pending e-mail and webhook is delivered, none is lost and none is announced twice.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { testDialects } from '../support/dialects.js';
import { buildIfNeeded, call, must, order, seed, serverDatabase, startServer, testTimeoutMs } from '../support/server-process.js';
import { startSmtpServer } from '../support/smtp.js';

/** A webhook receiver that can hang (never answer) and, when not hanging, verifies and records deliveries. */
async function startReceiver() {
  const delivered = new Map<string, { type: string; orderId: string }>();
  let hanging = true;
  let seenWhileHanging = 0;
  let secret = '';
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (hanging) {
        seenWhileHanging += 1;
        hung.add(res);
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as {
        type: string;
        data: { order_id: string };
      };
      const id = String(req.headers['webhook-id']);
      assert.ok(!delivered.has(id) || delivered.get(id)?.orderId === payload.data.order_id);
      delivered.set(id, { type: payload.type, orderId: payload.data.order_id });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    delivered,
    get seenWhileHanging() {
      return seenWhileHanging;
    },
    setSecret(value: string) {
      secret = value;
    },
    release() {
      hanging = false;
      for (const res of hung) res.destroy();
      hung.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(() => buildIfNeeded());

const orders = 12;

for (const dialect of await testDialects()) {
  describe(`outbox crash safety (${dialect})`, () => {
    test('kill -9 between commit and send: after restart every e-mail and webhook arrives, once', {
      timeout: testTimeoutMs * 2,
    }, async () => {
      const db = await serverDatabase(dialect);
      const smtp = await startSmtpServer();
      const receiver = await startReceiver();
      const env = {
        ...db.env,
        SMTP_URL: smtp.url,
        WEBHOOKS_ALLOW_PRIVATE: '1',
        // On PostgreSQL a dead process's claims come back when their lease ends: keep it short here.
        FULFILL_JOB_LEASE_MS: '2000',
      };
      let server = await startServer(env);
      try {
        const endpoint = await must(server, '/v1/webhooks/endpoints', { url: receiver.url, event_types: ['order.created'] });
        receiver.setSecret(endpoint.secret);
        await seed(server, 1_000);
        smtp.hold(true);
        const placed: string[] = [];
        for (let i = 0; i < orders; i++) {
          const created = await call(server, 'POST', '/v1/orders', order(`crash-${String(i).padStart(2, '0')}`, 1));
          assert.equal(created.status, 201, created.text);
          placed.push(created.json().id);
        }
        // The dispatcher has claimed e-mails and webhooks and is waiting for answers that never come.
        await until('sends in flight', () => smtp.held > 0 && receiver.seenWhileHanging > 0);
        server.child.kill('SIGKILL');
        await server.exited;
        assert.equal(smtp.messages.length, 0, 'nothing was accepted before the crash');
        assert.equal(receiver.delivered.size, 0);

        smtp.hold(false);
        receiver.release();
        server = await startServer(env);
        await until(`${orders} confirmations`, () => smtp.messages.length >= orders);
        await until(`${orders} webhooks`, () => receiver.delivered.size >= orders);
        // Give a duplicate the chance to show up before counting.
        await new Promise((r) => setTimeout(r, 1_500));
        const confirmed = smtp.messages.map((m) => m.text ?? '');
        assert.equal(smtp.messages.length, orders, 'one confirmation per order, none twice');
        for (const [i, id] of placed.entries()) {
          assert.equal(
            confirmed.filter((text) => text.includes(`crash-${String(i).padStart(2, '0')}`)).length,
            1,
            `order ${i} (${id}) confirmed once`,
          );
        }
        const hooked = [...receiver.delivered.values()];
        assert.equal(hooked.length, orders, 'one webhook-id per event');
        assert.deepEqual(hooked.map((h) => h.orderId).sort(), [...placed].sort());
        assert.ok(hooked.every((h) => h.type === 'order.created'));
        const stats = (await call(server, 'GET', '/v1/outbox')).json();
        assert.equal(stats.undispatched_events, 0);
      } finally {
        server.child.kill('SIGKILL');
        await receiver.close();
        await smtp.close();
        await db.drop();
      }
    });
  });
}
