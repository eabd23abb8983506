import type { OutboxModule } from '../outbox/index.js';
import { orderEmailSubscriber } from './order-emails.js';
import { emailJobHandler, type MailDeps, transportFor } from './send.js';
import type { MailTransport } from './transport.js';

export { type EmailRequest, emailJobKey, emailJobKind, queueEmail, queueEmails } from './queue.js';
export { formatMoney, type MailTemplate, type RenderedEmail, registerSampleData, registerTemplates } from './render.js';
export {
  brandOf,
  type EmailDataResolver,
  emailRetryScheduleMs,
  type MailDeps,
  type RenderPurpose,
  registerDataResolver,
} from './send.js';

const transports = new WeakMap<object, MailTransport>();

/** What the mail area plugs into the outbox: the order e-mails subscriber and the `email` job handler. */
export function mailModule(deps: MailDeps): OutboxModule {
  const transport = () => {
    let t = transports.get(deps);
    if (!t) {
      t = transportFor(deps);
      transports.set(deps, t);
    }
    return t;
  };
  return {
    subscribers: [orderEmailSubscriber(deps)],
    handlers: [emailJobHandler(deps, transport)],
  };
}

/** Closes the SMTP connection pool of these deps (the app's `close()`). */
export function closeMail(deps: object): void {
  transports.get(deps)?.close();
  transports.delete(deps);
}
