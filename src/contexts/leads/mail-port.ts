/** The mail area's API as the leads area uses it (one place to change if it moves). */
export { type EmailRequest, type MailTemplate, queueEmails, registerSampleData, registerTemplates } from '../mail/index.js';
