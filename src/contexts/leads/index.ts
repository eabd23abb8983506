import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';
import { forwardHandlers } from './forward.js';
import './templates.js';

export { type AssetLinkOutcome, useAssetLink } from './asset-links.js';
export { type ConfirmOutcome, confirmLead } from './confirm.js';
export { forwardJobKinds, forwardKey } from './delivery.js';
export {
  addDestination,
  type Destination,
  type DestinationInput,
  destinationSecret,
  destinationView,
  formDestinations,
  removeDestination,
} from './destinations.js';
export { csvCell, csvRow } from './domain/csv.js';
export { emailProblem, isDisposable } from './domain/email.js';
export { type FieldDefinition, fieldLimits } from './domain/fields.js';
export { type Asset, type Form, normalizeOrigin } from './domain/form.js';
export { defaultSpamSettings, RateLimiter, renderToken, type SpamSettings } from './domain/spam.js';
export { anonymiseIp, type ErasureReport, eraseLeads } from './erase.js';
export { embedScript, formPage, thanksPage } from './form-page.js';
export { createForm, type FormInput, type FormPatch, findPublicForm, getForm, listForms, updateForm } from './forms.js';
export { forwardRetryScheduleMs, hubspotBody, signWebhook } from './forward.js';
export { messagePage, words } from './html.js';
export {
  exportLeadsCsv,
  type ForwardQuery,
  formStats,
  forwardingHealth,
  forwardRows,
  getLead,
  type LeadQuery,
  leadView,
  listLeads,
  replayForward,
} from './queries.js';
export { type RawSubmission, type SubmitOutcome, submissionLimits, submissionService } from './submit.js';
export { leadTemplates } from './templates.js';

/** What the leads area plugs into the outbox: the CRM forward handlers (e-mails go through the mail area's job). */
export function leadsModule(deps: PlatformDeps): OutboxModule {
  return { handlers: forwardHandlers(deps) };
}
