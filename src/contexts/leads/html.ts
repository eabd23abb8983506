import { html, SafeHtml } from '../../kernel/html.js';
import type { Locale } from '../../kernel/locale.js';

/**
 * Server-rendered public pages of the leads area: plain HTML that works without JavaScript, accessible
 * (labels tied to inputs, errors announced and linked with aria-describedby), escaping by default
 * (src/kernel/html.ts).
 */
export { escapeHtml, html, SafeHtml } from '../../kernel/html.js';

const stylesheet = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;color:#18181b;line-height:1.5}
main{max-width:36rem;margin:2rem auto;background:#fff;border:1px solid #e4e4e7;border-radius:.5rem;padding:1.5rem}
body.embed main{margin:0;border:0;max-width:none}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;font-weight:600;margin:.9rem 0 .25rem}
input[type=text],input[type=email],input[type=tel],input[type=number],select{width:100%;padding:.55rem;border:1px solid #a1a1aa;border-radius:.35rem;font:inherit}
input[aria-invalid=true],select[aria-invalid=true]{border-color:#b91c1c}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}.check input{margin-top:.3rem}
.error{color:#b91c1c;font-size:.9rem;margin:.25rem 0 0}.summary{border:2px solid #b91c1c;padding:.75rem;border-radius:.35rem}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{margin-top:1.25rem;background:#18181b;color:#fff;border:0;border-radius:.35rem;padding:.7rem 1.2rem;font:inherit;cursor:pointer}
button:focus,input:focus,select:focus{outline:3px solid #2563eb;outline-offset:1px}`;

export function page(locale: Locale, title: string, body: SafeHtml, options: { embed?: boolean } = {}): string {
  return `<!doctype html>
${html`<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>${new SafeHtml(stylesheet)}</style></head><body class="${options.embed ? 'embed' : ''}"><main>${body}</main></body></html>`}`;
}

/** Words of the public pages. */
export const words = {
  en: {
    required: 'required',
    submit: 'Send',
    thanks: 'Thank you!',
    thanksBody: 'Check your inbox: we have sent you an e-mail.',
    confirmedTitle: 'Your e-mail address is confirmed',
    confirmedBody: 'Thank you. The download is on its way to your inbox.',
    errorsTitle: 'Please correct the following:',
    notFoundTitle: 'This page does not exist',
    notFoundBody: 'The link may be mistyped or no longer valid.',
    closedTitle: 'This form is closed',
    closedBody: 'It no longer accepts submissions.',
    linkInvalidTitle: 'This link is not valid',
    linkInvalidBody: 'Please use the link from your e-mail exactly as it was sent.',
    linkExpiredTitle: 'This link has expired',
    linkExpiredBody: 'Submit the form again to receive a new link.',
    linkExhaustedTitle: 'This link was used too often',
    linkExhaustedBody: 'It has reached its download limit. Submit the form again to receive a new link.',
    rateLimitedTitle: 'Too many submissions',
    rateLimitedBody: 'Please wait a minute and try again.',
    yes: 'Yes',
    choose: 'Choose…',
    consentHeading: 'Consent',
    staleForm: 'This page was open too long. Please submit it again.',
    honeypot: 'Leave this field empty',
  },
  'pt-BR': {
    required: 'obrigatório',
    submit: 'Enviar',
    thanks: 'Obrigado!',
    thanksBody: 'Confira sua caixa de entrada: enviamos um e-mail para você.',
    confirmedTitle: 'Seu e-mail foi confirmado',
    confirmedBody: 'Obrigado. O download está a caminho da sua caixa de entrada.',
    errorsTitle: 'Corrija o seguinte:',
    notFoundTitle: 'Esta página não existe',
    notFoundBody: 'O link pode estar incorreto ou não ser mais válido.',
    closedTitle: 'Este formulário está encerrado',
    closedBody: 'Ele não aceita mais envios.',
    linkInvalidTitle: 'Este link não é válido',
    linkInvalidBody: 'Use o link do seu e-mail exatamente como foi enviado.',
    linkExpiredTitle: 'Este link expirou',
    linkExpiredBody: 'Envie o formulário novamente para receber um novo link.',
    linkExhaustedTitle: 'Este link foi usado vezes demais',
    linkExhaustedBody: 'Ele atingiu o limite de downloads. Envie o formulário novamente para receber um novo link.',
    rateLimitedTitle: 'Envios demais',
    rateLimitedBody: 'Aguarde um minuto e tente novamente.',
    yes: 'Sim',
    choose: 'Escolha…',
    consentHeading: 'Consentimento',
    staleForm: 'Esta página ficou aberta tempo demais. Envie-a novamente.',
    honeypot: 'Deixe este campo vazio',
  },
} as const satisfies Record<Locale, Record<string, string>>;

/** Default labels of the standard fields (a form's own label wins). */
export const standardLabels: Record<Locale, Record<string, string>> = {
  en: { email: 'E-mail', name: 'Name', company: 'Company', phone: 'Phone', country: 'Country' },
  'pt-BR': { email: 'E-mail', name: 'Nome', company: 'Empresa', phone: 'Telefone', country: 'País' },
};

/** Translations of field error details shown on the hosted page (the JSON API answers in English). */
export function localizeDetail(locale: Locale, detail: string): string {
  if (locale === 'en') return detail;
  const table: Record<string, string> = {
    'is required': 'é obrigatório',
    'must be an e-mail address': 'deve ser um endereço de e-mail',
    'must be accepted': 'deve ser aceito',
    'must be checked': 'deve ser marcado',
    'must be a number': 'deve ser um número',
    'must be a whole number': 'deve ser um número inteiro',
    'is not a field of this form': 'não é um campo deste formulário',
    'must be an ISO 3166-1 alpha-2 country code': 'deve ser um país da lista',
  };
  return table[detail] ?? detail;
}

export function messagePage(locale: Locale, title: string, body: string, options: { embed?: boolean } = {}): string {
  return page(locale, title, html`<h1>${title}</h1><p>${body}</p>`, options);
}
