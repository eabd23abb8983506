import { Worker } from 'node:worker_threads';

/**
 * The bench's webhook receiver: a plain node:http server on 127.0.0.1 in a worker thread (its own event loop,
 * so answering does not steal the dispatcher's), verifying every request with the official `standardwebhooks`
 * library, as a real consumer would. Counts arrive as messages.
 */
const source = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const { Webhook } = require('standardwebhooks');
let verifier = null;
let received = 0, invalid = 0;
const ids = new Set();
let duplicates = 0;
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try { verifier.verify(body, req.headers); } catch { invalid += 1; }
    const id = req.headers['webhook-id'];
    if (ids.has(id)) duplicates += 1; else ids.add(id);
    received += 1;
    res.writeHead(204);
    res.end();
  });
});
parentPort.on('message', (m) => {
  if (m.type === 'secret') { verifier = new Webhook(m.secret); parentPort.postMessage({ type: 'ok' }); }
  if (m.type === 'count') parentPort.postMessage({ type: 'count', received, invalid, duplicates, unique: ids.size });
  if (m.type === 'reset') { received = 0; invalid = 0; duplicates = 0; ids.clear(); parentPort.postMessage({ type: 'ok' }); }
  if (m.type === 'close') server.close(() => parentPort.postMessage({ type: 'closed' }));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
`;

export interface ReceiverCounts {
  readonly received: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly unique: number;
}

export class BenchReceiver {
  readonly #worker: Worker;
  #port = 0;
  #waiting: ((message: Record<string, unknown>) => void)[] = [];

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (m: Record<string, unknown>) => this.#waiting.shift()?.(m));
  }

  static async start(): Promise<BenchReceiver> {
    const receiver = new BenchReceiver(new Worker(source, { eval: true }));
    const listening = await receiver.#next();
    receiver.#port = Number(listening.port);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks`;
  }

  #next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async #ask(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = this.#next();
    this.#worker.postMessage(message);
    return answer;
  }

  async setSecret(secret: string): Promise<void> {
    await this.#ask({ type: 'secret', secret });
  }

  async reset(): Promise<void> {
    await this.#ask({ type: 'reset' });
  }

  async counts(): Promise<ReceiverCounts> {
    const m = await this.#ask({ type: 'count' });
    return { received: Number(m.received), invalid: Number(m.invalid), duplicates: Number(m.duplicates), unique: Number(m.unique) };
  }

  async close(): Promise<void> {
    await this.#ask({ type: 'close' });
    await this.#worker.terminate();
  }
}
