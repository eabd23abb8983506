import { type MailTemplate, registerSampleData, registerTemplates } from '../mail/index.js';

/** The delivery e-mail: one per delivery (and per resend), with every item's link, files and keys. */
export const deliveryTemplate = 'digital.delivery';
/** To the merchant when a license pool runs dry and orders wait on an inventory hold. */
export const poolEmptyTemplate = 'digital.pool_empty';

const deliveryHtml = (t: {
  greeting: string;
  intro: string;
  open: string;
  files: string;
  keys: string;
  expires: string;
  downloads: string;
  footer: string;
}) => `<p>${t.greeting}</p>
<p>${t.intro}</p>
{{#each items}}
<h2 style="font-size:18px;margin:24px 0 8px">{{name}}{{#if quantity_label}} &times; {{quantity_label}}{{/if}}</h2>
<p><a href="{{page_url}}" style="display:inline-block;padding:10px 18px;background:#1a56db;color:#ffffff;text-decoration:none;border-radius:6px">${t.open}</a></p>
{{#if files.length}}<p style="margin:8px 0 4px"><strong>${t.files}</strong></p>
<ul>{{#each files}}<li><a href="{{url}}">{{name}}</a> ({{size_label}})</li>{{/each}}</ul>{{/if}}
{{#if keys.length}}<p style="margin:8px 0 4px"><strong>${t.keys}</strong></p>
<ul>{{#each keys}}<li><code style="font-size:15px">{{this}}</code></li>{{/each}}</ul>{{/if}}
{{#if download_limit}}<p style="color:#555">${t.downloads}</p>{{/if}}
{{#if expires_at}}<p style="color:#555">${t.expires}</p>{{/if}}
{{/each}}
<p style="color:#555">${t.footer}</p>`;

const deliveryText = (t: {
  greeting: string;
  intro: string;
  open: string;
  files: string;
  keys: string;
  expires: string;
  downloads: string;
  footer: string;
}) => `${t.greeting}

${t.intro}
{{#each items}}

== {{name}}{{#if quantity_label}} x {{quantity_label}}{{/if}} ==
${t.open}: {{page_url}}
{{#if files.length}}${t.files}
{{#each files}}- {{name}} ({{size_label}}): {{url}}
{{/each}}{{/if}}{{#if keys.length}}${t.keys}
{{#each keys}}- {{this}}
{{/each}}{{/if}}{{#if download_limit}}${t.downloads}
{{/if}}{{#if expires_at}}${t.expires}
{{/if}}{{/each}}

${t.footer}
`;

const en = {
  greeting: 'Hello {{customer_name}},',
  intro: 'Thank you for your order {{order_number}}. Your digital purchase is ready:',
  open: 'Open your downloads',
  files: 'Files',
  keys: 'License keys',
  expires: 'The links work until {{date expires_at}}.',
  downloads: 'Each link can be used for {{download_limit}} downloads.',
  footer: 'Keep this e-mail: the links and keys are personal. If you did not place this order, please reply to let us know.',
};

const pt = {
  greeting: 'Olá, {{customer_name}},',
  intro: 'Obrigado pelo seu pedido {{order_number}}. Sua compra digital está pronta:',
  open: 'Abrir seus downloads',
  files: 'Arquivos',
  keys: 'Chaves de licença',
  expires: 'Os links funcionam até {{date expires_at}}.',
  downloads: 'Cada link pode ser usado para {{download_limit}} downloads.',
  footer: 'Guarde este e-mail: os links e as chaves são pessoais. Se você não fez este pedido, responda para nos avisar.',
};

export const digitalTemplates: readonly MailTemplate[] = [
  {
    name: deliveryTemplate,
    locale: 'en',
    subject: 'Your download for order {{order_number}} is ready',
    html: deliveryHtml(en),
    text: deliveryText(en),
  },
  {
    name: deliveryTemplate,
    locale: 'pt-BR',
    subject: 'Seu download do pedido {{order_number}} está pronto',
    html: deliveryHtml(pt),
    text: deliveryText(pt),
  },
  {
    name: poolEmptyTemplate,
    locale: 'en',
    subject: 'License pool empty: {{sku}}',
    html: '<p>The license pool of <strong>{{sku}}</strong> ({{name}}) has no codes left.</p><p>Order {{order_number}} waits on an inventory hold for {{missing}} code(s). Upload more codes (<code>fulfill digital upload --pool {{sku}} codes.csv</code>); held orders are delivered as codes arrive.</p>',
    text: 'The license pool of {{sku}} ({{name}}) has no codes left.\n\nOrder {{order_number}} waits on an inventory hold for {{missing}} code(s). Upload more codes (fulfill digital upload --pool {{sku}} codes.csv); held orders are delivered as codes arrive.\n',
  },
  {
    name: poolEmptyTemplate,
    locale: 'pt-BR',
    subject: 'Estoque de licenças esgotado: {{sku}}',
    html: '<p>O estoque de códigos de <strong>{{sku}}</strong> ({{name}}) acabou.</p><p>O pedido {{order_number}} aguarda em retenção de estoque por {{missing}} código(s). Envie mais códigos (<code>fulfill digital upload --pool {{sku}} codes.csv</code>); os pedidos retidos são entregues conforme os códigos chegam.</p>',
    text: 'O estoque de códigos de {{sku}} ({{name}}) acabou.\n\nO pedido {{order_number}} aguarda em retenção de estoque por {{missing}} código(s). Envie mais códigos (fulfill digital upload --pool {{sku}} codes.csv); os pedidos retidos são entregues conforme os códigos chegam.\n',
  },
];

registerTemplates(digitalTemplates);
registerSampleData(deliveryTemplate, {
  customer_name: 'Ann Lee',
  order_number: 'WEB-1001',
  items: [
    {
      name: 'The Fulfillment Handbook (e-book)',
      quantity_label: null,
      page_url: 'https://shop.example/d/sample-token',
      files: [{ name: 'handbook.pdf', size_label: '2.4 MB', url: 'https://shop.example/d/sample-token/files/file_1' }],
      keys: ['ABCDE-FGHJK-MNPQR-STVWX-YZ012'],
      download_limit: 5,
      expires_at: '2026-12-31T00:00:00.000Z',
    },
  ],
});
registerSampleData(poolEmptyTemplate, { sku: 'GAME-1', name: 'Game code', order_number: 'WEB-1001', missing: 1 });
