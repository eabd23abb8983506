import type { MailTemplate } from './render.js';

/**
 * The order e-mails' default templates, English and Brazilian Portuguese. Merchants can override any of them
 * (PUT /v1/mail/templates/:name/:locale); `GET /v1/mail/templates` shows these sources to start from.
 *
 * Variables (see docs/mail.md): `customer_name`, `order` { id, number, created_at, currency, subtotal,
 * unit_count }, `lines` [{ sku, name, quantity, unit_price, total }], `shipping` (null for orders without one)
 * { name, company, line1, line2, city, region, postal_code, country, country_name }; backorder notices add
 * `backordered` [{ sku, name, quantity }]; cancellations add `cancelled` [{ sku, name, quantity, total }],
 * `partial`, `cancelled_total` and `reason`. Money values are already formatted in the order's currency for
 * the e-mail's locale; `*_minor` fields hold the integer amounts for the `money` helper.
 */
export const orderTemplateNames = {
  confirmation: 'order_confirmation',
  backorder: 'order_backorder',
  cancellation: 'order_cancellation',
} as const;

interface Words {
  readonly greeting: string;
  readonly item: string;
  readonly qty: string;
  readonly price: string;
  readonly total: string;
  readonly subtotal: string;
  readonly shipTo: string;
  readonly orderNumber: string;
}

const en: Words = {
  greeting: '{{#if customer_name}}Hi {{customer_name}},{{else}}Hello,{{/if}}',
  item: 'Item',
  qty: 'Qty',
  price: 'Price',
  total: 'Total',
  subtotal: 'Subtotal',
  shipTo: 'Shipping to',
  orderNumber: 'Order number',
};

const pt: Words = {
  greeting: '{{#if customer_name}}Olá, {{customer_name}},{{else}}Olá,{{/if}}',
  item: 'Item',
  qty: 'Qtd.',
  price: 'Preço',
  total: 'Total',
  subtotal: 'Subtotal',
  shipTo: 'Endereço de entrega',
  orderNumber: 'Número do pedido',
};

const cell = 'padding:8px 4px;border-bottom:1px solid #e4e4e7;';
const head = 'padding:8px 4px;border-bottom:2px solid #d4d4d8;font-size:13px;color:#52525b;';

/** The lines table: `list` names the array ({{#each}}), with a total column unless `withTotals` is false. */
function itemsTable(w: Words, list: string, withTotals: boolean, footer?: { label: string; value: string }): string {
  const totalHead = withTotals ? `<th align="right" style="${head}">${w.total}</th>` : '';
  const totalCell = withTotals ? `<td align="right" style="${cell}">{{total}}</td>` : '';
  const priceHead = withTotals ? `<th align="right" style="${head}">${w.price}</th>` : '';
  const priceCell = withTotals ? `<td align="right" style="${cell}">{{unit_price}}</td>` : '';
  const foot = footer
    ? `<tr><td colspan="${withTotals ? 3 : 1}" align="right" style="padding:10px 4px;font-weight:bold;">${footer.label}</td><td align="right" style="padding:10px 4px;font-weight:bold;">${footer.value}</td></tr>`
    : '';
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:16px 0;font-size:14px;">
<tr><th align="left" style="${head}">${w.item}</th><th align="right" style="${head}">${w.qty}</th>${priceHead}${totalHead}</tr>
{{#each ${list}}}<tr><td style="${cell}">{{name}}<br><span style="color:#71717a;font-size:12px;">{{sku}}</span></td><td align="right" style="${cell}">{{quantity}}</td>${priceCell}${totalCell}</tr>
{{/each}}${foot}
</table>`;
}

const addressHtml = (w: Words) => `{{#if shipping}}<p style="margin:16px 0 4px;font-weight:bold;">${w.shipTo}</p>
<p style="margin:0;color:#3f3f46;">{{#if shipping.name}}{{shipping.name}}<br>{{/if}}{{#if shipping.company}}{{shipping.company}}<br>{{/if}}{{shipping.line1}}<br>{{#if shipping.line2}}{{shipping.line2}}<br>{{/if}}{{shipping.postal_code}} {{shipping.city}}{{#if shipping.region}}, {{shipping.region}}{{/if}}<br>{{shipping.country_name}}</p>{{/if}}`;

const addressText = (w: Words) => `{{#if shipping}}
${w.shipTo}:
{{#if shipping.name}}{{shipping.name}}
{{/if}}{{#if shipping.company}}{{shipping.company}}
{{/if}}{{shipping.line1}}
{{#if shipping.line2}}{{shipping.line2}}
{{/if}}{{shipping.postal_code}} {{shipping.city}}{{#if shipping.region}}, {{shipping.region}}{{/if}}
{{shipping.country_name}}
{{/if}}`;

const orderNumber = (w: Words) => `<p style="margin:0 0 16px;color:#52525b;">${w.orderNumber}: <strong>{{order.number}}</strong></p>`;

function confirmation(locale: 'en' | 'pt-BR', w: Words): MailTemplate {
  const intro =
    locale === 'en'
      ? 'Thank you for your order. We have received it and will let you know when it ships.'
      : 'Obrigado pelo seu pedido. Já o recebemos e avisaremos quando ele for enviado.';
  return {
    name: orderTemplateNames.confirmation,
    locale,
    subject: locale === 'en' ? 'Order {{order.number}} confirmed' : 'Pedido {{order.number}} confirmado',
    html: `<h1 style="margin:0 0 8px;font-size:22px;color:#18181b;">${locale === 'en' ? 'Order confirmed' : 'Pedido confirmado'}</h1>
${orderNumber(w)}
<p style="margin:0 0 8px;">${w.greeting}</p>
<p style="margin:0 0 8px;">${intro}</p>
${itemsTable(w, 'lines', true, { label: w.subtotal, value: '{{order.subtotal}}' })}
${addressHtml(w)}`,
    text: `${w.greeting}

${intro}

${w.orderNumber}: {{order.number}}

{{#each lines}}- {{quantity}} × {{name}} ({{sku}}): {{total}}
{{/each}}
${w.subtotal}: {{order.subtotal}}
${addressText(w)}`,
  };
}

function backorder(locale: 'en' | 'pt-BR', w: Words): MailTemplate {
  const intro =
    locale === 'en'
      ? 'Some items of your order are out of stock for now. We will send them as soon as they are back; the rest of your order is not held up.'
      : 'Alguns itens do seu pedido estão sem estoque no momento. Vamos enviá-los assim que chegarem; o restante do pedido segue normalmente.';
  return {
    name: orderTemplateNames.backorder,
    locale,
    subject: locale === 'en' ? 'Some items of order {{order.number}} are delayed' : 'Alguns itens do pedido {{order.number}} vão atrasar',
    html: `<h1 style="margin:0 0 8px;font-size:22px;color:#18181b;">${locale === 'en' ? 'Items on backorder' : 'Itens aguardando estoque'}</h1>
${orderNumber(w)}
<p style="margin:0 0 8px;">${w.greeting}</p>
<p style="margin:0 0 8px;">${intro}</p>
${itemsTable(w, 'backordered', false)}
<p style="margin:16px 0 0;color:#52525b;">${locale === 'en' ? 'No action is needed from you. Reply to this e-mail if you would rather cancel these items.' : 'Você não precisa fazer nada. Responda a este e-mail se preferir cancelar esses itens.'}</p>`,
    text: `${w.greeting}

${intro}

${w.orderNumber}: {{order.number}}

{{#each backordered}}- {{quantity}} × {{name}} ({{sku}})
{{/each}}
${locale === 'en' ? 'No action is needed from you. Reply to this e-mail if you would rather cancel these items.' : 'Você não precisa fazer nada. Responda a este e-mail se preferir cancelar esses itens.'}`,
  };
}

function cancellation(locale: 'en' | 'pt-BR', w: Words): MailTemplate {
  const whole = locale === 'en' ? 'Your order has been cancelled.' : 'Seu pedido foi cancelado.';
  const part =
    locale === 'en'
      ? 'Some items of your order have been cancelled. The rest of your order goes ahead as planned.'
      : 'Alguns itens do seu pedido foram cancelados. O restante do pedido segue normalmente.';
  const cancelledLabel = locale === 'en' ? 'Cancelled' : 'Valor cancelado';
  return {
    name: orderTemplateNames.cancellation,
    locale,
    subject:
      locale === 'en'
        ? '{{#if partial}}Items of order {{order.number}} cancelled{{else}}Order {{order.number}} cancelled{{/if}}'
        : '{{#if partial}}Itens do pedido {{order.number}} cancelados{{else}}Pedido {{order.number}} cancelado{{/if}}',
    html: `<h1 style="margin:0 0 8px;font-size:22px;color:#18181b;">{{#if partial}}${locale === 'en' ? 'Items cancelled' : 'Itens cancelados'}{{else}}${locale === 'en' ? 'Order cancelled' : 'Pedido cancelado'}{{/if}}</h1>
${orderNumber(w)}
<p style="margin:0 0 8px;">${w.greeting}</p>
<p style="margin:0 0 8px;">{{#if partial}}${part}{{else}}${whole}{{/if}}</p>
${itemsTable(w, 'cancelled', true, { label: cancelledLabel, value: '{{cancelled_total}}' })}
<p style="margin:16px 0 0;color:#52525b;">${locale === 'en' ? 'If you were charged for these items, the amount will be refunded to your original payment method.' : 'Se você já pagou por esses itens, o valor será devolvido pela forma de pagamento original.'}</p>`,
    text: `${w.greeting}

{{#if partial}}${part}{{else}}${whole}{{/if}}

${w.orderNumber}: {{order.number}}

{{#each cancelled}}- {{quantity}} × {{name}} ({{sku}}): {{total}}
{{/each}}
${cancelledLabel}: {{cancelled_total}}

${locale === 'en' ? 'If you were charged for these items, the amount will be refunded to your original payment method.' : 'Se você já pagou por esses itens, o valor será devolvido pela forma de pagamento original.'}`,
  };
}

export const orderTemplates: readonly MailTemplate[] = [
  confirmation('en', en),
  confirmation('pt-BR', pt),
  backorder('en', en),
  backorder('pt-BR', pt),
  cancellation('en', en),
  cancellation('pt-BR', pt),
];

const sampleLines = [
  { sku: 'MUG-1', name: 'Enamel mug', quantity: 2, unit_price: '$12.50', unit_price_minor: 1250, total: '$25.00', total_minor: 2500 },
  { sku: 'TEE-M', name: 'T-shirt, M', quantity: 1, unit_price: '$20.00', unit_price_minor: 2000, total: '$20.00', total_minor: 2000 },
];

const sampleBase = {
  customer_name: 'Ann Lee',
  order: {
    id: 'ord_sample',
    number: 'WEB-1001',
    created_at: '2026-01-15T10:00:00.000Z',
    currency: 'USD',
    subtotal: '$45.00',
    subtotal_minor: 4500,
    unit_count: 3,
  },
  lines: sampleLines,
  shipping: {
    name: 'Ann Lee',
    company: null,
    line1: '1 Main St',
    line2: null,
    city: 'Springfield',
    region: 'IL',
    postal_code: '62701',
    country: 'US',
    country_name: 'United States',
  },
};

/** Sample variables per template, for previews and for checking overrides. */
export const orderSampleData: Record<string, Record<string, unknown>> = {
  [orderTemplateNames.confirmation]: sampleBase,
  [orderTemplateNames.backorder]: { ...sampleBase, backordered: [{ sku: 'MUG-1', name: 'Enamel mug', quantity: 1 }] },
  [orderTemplateNames.cancellation]: {
    ...sampleBase,
    partial: true,
    reason: null,
    cancelled: [sampleLines[1]],
    cancelled_total: '$20.00',
    cancelled_total_minor: 2000,
  },
};
