import { type MailTemplate, registerSampleData, registerTemplates } from '../mail/index.js';
import { milestoneTemplates } from './facts.js';

/**
 * The shipment e-mails (shipped, out for delivery, delivered, delivery problem, delay), English and
 * Brazilian Portuguese. Merchants can override them like every template (docs/mail.md).
 *
 * Variables: `customer_name`, `order_number`, `carrier`, `service`, `tracking_number`, `tracking_numbers`,
 * `tracking_url` (the public tracking page), `expected_delivery_date` (YYYY-MM-DD or null); shipped adds
 * `items` [{ name, sku, quantity }]; status e-mails add `status`, `status_label`, `reason`, `delivered_at`;
 * the delay e-mail adds `flag` (`late` or `stuck`).
 */
type Locale = 'en' | 'pt-BR';

const h1 = (text: string) => `<h1 style="margin:0 0 8px;font-size:22px;color:#18181b;">${text}</h1>`;
const p = (text: string) => `<p style="margin:0 0 8px;">${text}</p>`;
const button = (label: string) =>
  `<p style="margin:20px 0;"><a href="{{tracking_url}}" style="display:inline-block;padding:12px 20px;background:#18181b;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">${label}</a></p>`;

const words = {
  en: {
    greeting: '{{#if customer_name}}Hi {{customer_name}},{{else}}Hello,{{/if}}',
    order: 'Order',
    carrier: 'Carrier',
    tracking: 'Tracking number',
    expected: 'Expected delivery',
    track: 'Track your parcel',
    item: 'Item',
    qty: 'Qty',
  },
  'pt-BR': {
    greeting: '{{#if customer_name}}Olá, {{customer_name}},{{else}}Olá,{{/if}}',
    order: 'Pedido',
    carrier: 'Transportadora',
    tracking: 'Código de rastreio',
    expected: 'Entrega prevista',
    track: 'Rastrear encomenda',
    item: 'Item',
    qty: 'Qtd.',
  },
} as const;

function facts(locale: Locale): { html: string; text: string } {
  const w = words[locale];
  return {
    html: `<p style="margin:12px 0;color:#3f3f46;">${w.order}: <strong>{{order_number}}</strong><br>${w.carrier}: {{carrier}} · {{service}}<br>${w.tracking}: <strong>{{tracking_number}}</strong>{{#if expected_delivery_date}}<br>${w.expected}: {{date expected_delivery_date}}{{/if}}</p>`,
    text: `${w.order}: {{order_number}}
${w.carrier}: {{carrier}} · {{service}}
${w.tracking}: {{tracking_number}}
{{#if expected_delivery_date}}${w.expected}: {{date expected_delivery_date}}
{{/if}}`,
  };
}

function template(
  name: string,
  locale: Locale,
  subject: string,
  title: string,
  intro: string,
  extraHtml = '',
  extraText = '',
): MailTemplate {
  const w = words[locale];
  const f = facts(locale);
  return {
    name,
    locale,
    subject,
    html: `${h1(title)}
${p(w.greeting)}
${p(intro)}
${f.html}
${extraHtml}
${button(w.track)}`,
    text: `${w.greeting}

${intro}

${f.text}${extraText}
${w.track}: {{tracking_url}}
`,
  };
}

function itemsHtml(locale: Locale): string {
  const w = words[locale];
  const cell = 'padding:8px 4px;border-bottom:1px solid #e4e4e7;';
  return `{{#if items.length}}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:16px 0;font-size:14px;">
<tr><th align="left" style="${cell}">${w.item}</th><th align="right" style="${cell}">${w.qty}</th></tr>
{{#each items}}<tr><td style="${cell}">{{name}}<br><span style="color:#71717a;font-size:12px;">{{sku}}</span></td><td align="right" style="${cell}">{{quantity}}</td></tr>
{{/each}}</table>{{/if}}`;
}
const itemsText = `
{{#each items}}- {{quantity}} × {{name}} ({{sku}})
{{/each}}`;

const en: Locale = 'en';
const pt: Locale = 'pt-BR';

export const shipmentTemplates: readonly MailTemplate[] = [
  template(
    milestoneTemplates.shipped,
    en,
    'Order {{order_number}} has shipped',
    'Your order is on its way',
    'Good news: your parcel has left our warehouse. Follow it with the link below.',
    itemsHtml(en),
    itemsText,
  ),
  template(
    milestoneTemplates.shipped,
    pt,
    'Pedido {{order_number}} enviado',
    'Seu pedido está a caminho',
    'Boa notícia: sua encomenda saiu do nosso depósito. Acompanhe pelo link abaixo.',
    itemsHtml(pt),
    itemsText,
  ),
  template(
    milestoneTemplates.out_for_delivery,
    en,
    'Order {{order_number}} is out for delivery',
    'Out for delivery today',
    'Your parcel is out for delivery and should arrive today.',
  ),
  template(
    milestoneTemplates.out_for_delivery,
    pt,
    'Pedido {{order_number}} saiu para entrega',
    'Saiu para entrega hoje',
    'Sua encomenda saiu para entrega e deve chegar hoje.',
  ),
  template(
    milestoneTemplates.delivered,
    en,
    'Order {{order_number}} was delivered',
    'Delivered',
    'Your parcel was delivered{{#if delivered_at}} on {{date delivered_at}}{{/if}}. We hope you enjoy it.',
  ),
  template(
    milestoneTemplates.delivered,
    pt,
    'Pedido {{order_number}} entregue',
    'Entregue',
    'Sua encomenda foi entregue{{#if delivered_at}} em {{date delivered_at}}{{/if}}. Esperamos que goste.',
  ),
  template(
    milestoneTemplates.problem,
    en,
    'A problem with the delivery of order {{order_number}}',
    '{{status_label}}',
    'The carrier reported a problem with your parcel: {{status_label}}. They usually try again; the tracking page shows the latest news. Reply to this e-mail if you need help.',
  ),
  template(
    milestoneTemplates.problem,
    pt,
    'Problema na entrega do pedido {{order_number}}',
    '{{status_label}}',
    'A transportadora informou um problema com sua encomenda: {{status_label}}. Normalmente ela tenta novamente; a página de rastreio mostra as novidades. Responda a este e-mail se precisar de ajuda.',
  ),
  template(
    milestoneTemplates.delay,
    en,
    'Order {{order_number}} is delayed',
    'Your parcel is delayed',
    '{{#eq flag "late"}}Your parcel has not arrived by the expected date.{{else}}We have not had news of your parcel from the carrier for a while.{{/eq}} We are keeping an eye on it and will write again when it is delivered.',
  ),
  template(
    milestoneTemplates.delay,
    pt,
    'Pedido {{order_number}} está atrasado',
    'Sua encomenda está atrasada',
    '{{#eq flag "late"}}Sua encomenda não chegou na data prevista.{{else}}A transportadora não dá notícias da sua encomenda há algum tempo.{{/eq}} Estamos acompanhando e avisaremos quando for entregue.',
  ),
];

registerTemplates(shipmentTemplates);
const sample = {
  customer_name: 'Ana Souza',
  order_number: 'WEB-1001',
  carrier: 'USPS',
  service: 'Priority',
  tracking_number: '9400100000000000000000',
  tracking_numbers: ['9400100000000000000000'],
  tracking_url: 'https://shop.example/track/sample-token',
  expected_delivery_date: '2026-03-05',
  items: [{ name: 'Coffee mug', sku: 'MUG-1', quantity: 2 }],
  status: 'exception',
  status_label: 'Delivery problem',
  reason: 'weather_delay',
  delivered_at: '2026-03-05T15:20:00.000Z',
  flag: 'late',
};
for (const name of Object.values(milestoneTemplates)) registerSampleData(name, sample);
