import { type MailTemplate, registerSampleData, registerTemplates } from './mail-port.js';

/** Template names of the leads area. */
export const leadTemplates = { asset: 'lead.asset', confirm: 'lead.confirm' } as const;

/**
 * Variables: `form_name`, `name` (may be empty), `asset_url` and `expires_at` (asset), `confirm_url` (confirm).
 * Links are personal: they go only to the address that was submitted.
 */
const templates: MailTemplate[] = [
  {
    name: leadTemplates.asset,
    locale: 'en',
    subject: 'Your download: {{form_name}}',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>Thank you for your interest. Here is your copy of <strong>{{form_name}}</strong>:</p>
<p><a href="{{asset_url}}">Download {{form_name}}</a></p>
<p>The link is personal and works until {{date expires_at}}, for up to {{max_downloads}} downloads.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

Thank you for your interest. Here is your copy of {{form_name}}:
{{asset_url}}

The link is personal and works until {{date expires_at}}, for up to {{max_downloads}} downloads.`,
  },
  {
    name: leadTemplates.asset,
    locale: 'pt-BR',
    subject: 'Seu download: {{form_name}}',
    html: `<p>Olá{{#if name}} {{name}}{{/if}},</p>
<p>Obrigado pelo interesse. Aqui está a sua cópia de <strong>{{form_name}}</strong>:</p>
<p><a href="{{asset_url}}">Baixar {{form_name}}</a></p>
<p>O link é pessoal e funciona até {{date expires_at}}, para até {{max_downloads}} downloads.</p>`,
    text: `Olá{{#if name}} {{name}}{{/if}},

Obrigado pelo interesse. Aqui está a sua cópia de {{form_name}}:
{{asset_url}}

O link é pessoal e funciona até {{date expires_at}}, para até {{max_downloads}} downloads.`,
  },
  {
    name: leadTemplates.confirm,
    locale: 'en',
    subject: 'Please confirm your e-mail address',
    html: `<p>Hello{{#if name}} {{name}}{{/if}},</p>
<p>Please confirm that you asked for <strong>{{form_name}}</strong> by clicking the link below. We will then send it to you.</p>
<p><a href="{{confirm_url}}">Confirm my e-mail address</a></p>
<p>If you did not ask for it, ignore this e-mail: nothing more will be sent.</p>`,
    text: `Hello{{#if name}} {{name}}{{/if}},

Please confirm that you asked for {{form_name}} by opening this link. We will then send it to you.
{{confirm_url}}

If you did not ask for it, ignore this e-mail: nothing more will be sent.`,
  },
  {
    name: leadTemplates.confirm,
    locale: 'pt-BR',
    subject: 'Confirme o seu endereço de e-mail',
    html: `<p>Olá{{#if name}} {{name}}{{/if}},</p>
<p>Confirme que você pediu <strong>{{form_name}}</strong> clicando no link abaixo. Em seguida enviaremos o material.</p>
<p><a href="{{confirm_url}}">Confirmar meu e-mail</a></p>
<p>Se você não fez esse pedido, ignore este e-mail: nada mais será enviado.</p>`,
    text: `Olá{{#if name}} {{name}}{{/if}},

Confirme que você pediu {{form_name}} abrindo este link. Em seguida enviaremos o material.
{{confirm_url}}

Se você não fez esse pedido, ignore este e-mail: nada mais será enviado.`,
  },
];

registerTemplates(templates);
registerSampleData(leadTemplates.asset, {
  form_name: 'The 2026 Fulfillment Report',
  name: 'Ana',
  asset_url: 'https://example.com/l/sample-token',
  expires_at: '2026-01-08T00:00:00.000Z',
  max_downloads: 10,
});
registerSampleData(leadTemplates.confirm, {
  form_name: 'The 2026 Fulfillment Report',
  name: 'Ana',
  confirm_url: 'https://example.com/f/report/confirm/sample-token',
});
