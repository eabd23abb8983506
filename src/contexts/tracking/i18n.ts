import type { Locale } from '../../kernel/locale.js';
import type { CanonicalStatus } from './domain/status.js';

/** Customer-facing words of the tracking page and e-mails, per locale. */
export const statusLabels: Readonly<Record<Locale, Readonly<Record<CanonicalStatus, string>>>> = {
  en: {
    pre_transit: 'Label created',
    in_transit: 'In transit',
    out_for_delivery: 'Out for delivery',
    available_for_pickup: 'Ready for pickup',
    delivery_failed: 'Delivery attempt failed',
    exception: 'Delivery problem',
    return_to_sender: 'Returning to sender',
    delivered: 'Delivered',
    cancelled: 'Cancelled',
    unknown: 'Update from the carrier',
  },
  'pt-BR': {
    pre_transit: 'Etiqueta criada',
    in_transit: 'Em trânsito',
    out_for_delivery: 'Saiu para entrega',
    available_for_pickup: 'Disponível para retirada',
    delivery_failed: 'Tentativa de entrega sem sucesso',
    exception: 'Problema na entrega',
    return_to_sender: 'Devolvendo ao remetente',
    delivered: 'Entregue',
    cancelled: 'Cancelado',
    unknown: 'Atualização da transportadora',
  },
};

export const pageText = {
  en: {
    title: 'Track your parcel',
    status: 'Status',
    expected: 'Expected delivery',
    delivered: 'Delivered on',
    carrier: 'Carrier',
    tracking: 'Tracking number',
    destination: 'Destination',
    timeline: 'Tracking history',
    empty: 'No scans from the carrier yet.',
    notFoundTitle: 'Tracking link not found',
    notFound: 'This tracking link is not valid. Check the link in your shipping e-mail.',
  },
  'pt-BR': {
    title: 'Rastreie sua encomenda',
    status: 'Situação',
    expected: 'Entrega prevista',
    delivered: 'Entregue em',
    carrier: 'Transportadora',
    tracking: 'Código de rastreio',
    destination: 'Destino',
    timeline: 'Histórico de rastreio',
    empty: 'Ainda não há registros da transportadora.',
    notFoundTitle: 'Link de rastreio não encontrado',
    notFound: 'Este link de rastreio não é válido. Confira o link no e-mail de envio.',
  },
} as const satisfies Record<Locale, Record<string, string>>;
