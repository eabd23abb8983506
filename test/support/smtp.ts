import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 for tests: it parses every message it accepts. */
export interface TestSmtp {
  /** `smtp://127.0.0.1:<port>`, for `compose({ smtpUrl })`. */
  readonly url: string;
  readonly messages: ParsedMail[];
  /** Resolves when at least `count` messages have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** The next `count` messages are refused with `code` (421 temporary by default, 550 permanent). */
  rejectNext(count: number, code?: number): void;
  /**
   * While holding, messages are read but never answered (a server stuck between DATA and its reply). Ending
   * the hold refuses the held ones: their senders never heard a yes, so they are not counted as delivered.
   */
  hold(on: boolean): void;
  /** How many messages are being held unanswered. */
  readonly held: number;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const waiters: { count: number; resolve: (m: ParsedMail[]) => void }[] = [];
  let rejections: { left: number; code: number } = { left: 0, code: 421 };
  let holding = false;
  const held: ((error: Error) => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (holding) {
          held.push((error) => callback(error));
          return;
        }
        if (rejections.left > 0) {
          rejections = { ...rejections, left: rejections.left - 1 };
          const error = Object.assign(new Error('refused by the test'), { responseCode: rejections.code });
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            messages.push(parsed);
            for (const w of [...waiters]) {
              if (messages.length >= w.count) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(messages);
              }
            }
            callback(null, `queued as test-${messages.length}`);
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} e-mails, got ${messages.length}`)), timeoutMs);
        waiters.push({
          count,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    rejectNext(count, code = 421) {
      rejections = { left: count, code };
    },
    hold(on) {
      holding = on;
      if (!on) for (const refuse of held.splice(0)) refuse(Object.assign(new Error('held, then refused'), { responseCode: 451 }));
    },
    get held() {
      return held.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const refuse of held.splice(0)) refuse(new Error('server closing'));
        server.close(() => resolve());
      }),
  };
}
