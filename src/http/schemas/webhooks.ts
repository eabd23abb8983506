import { Type } from '@sinclair/typebox';
import { webhookLimits } from '../../contexts/webhooks/index.js';
import { Id, Nullable, Timestamp } from './common.js';

const EventTypeName = Type.String({ minLength: 1, maxLength: 100, pattern: '^(\\*|[a-z_]+\\.[a-z_]+)$', examples: ['order.created'] });
const EventTypes = Type.Array(EventTypeName, {
  minItems: 1,
  maxItems: webhookLimits.eventTypesMax,
  description: 'Event types to receive (GET /v1/webhooks/event-types), or ["*"] for all of them',
});
const Url = Type.String({
  minLength: 1,
  maxLength: webhookLimits.urlLengthMax,
  description: 'An absolute https (or http) URL without credentials or fragment',
  examples: ['https://example.com/hooks/fulfill'],
});
const Description = Type.String({ maxLength: webhookLimits.descriptionLengthMax });
const EndpointStatus = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);

export const EndpointCreate = Type.Object(
  { url: Url, description: Type.Optional(Nullable(Description)), event_types: EventTypes },
  { additionalProperties: false },
);

export const EndpointPatch = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Nullable(Description)),
    event_types: Type.Optional(EventTypes),
    status: Type.Optional(EndpointStatus),
  },
  { additionalProperties: false, minProperties: 1 },
);

const endpointFields = {
  id: Id,
  url: Type.String(),
  description: Nullable(Type.String()),
  event_types: Type.Array(Type.String()),
  status: EndpointStatus,
  disabled_reason: Nullable(Type.String()),
  disabled_at: Nullable(Timestamp),
  failing_since: Nullable(Timestamp),
  previous_secret_expires_at: Type.Union([Timestamp, Type.Null()], {
    description: 'After a rotation: until when deliveries are signed with the old secret too; null outside an overlap',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Endpoint = Type.Object(endpointFields);
export const EndpointWithSecret = Type.Object({
  ...endpointFields,
  secret: Type.String({ description: 'The signing secret (whsec_...). Shown only here: store it now.' }),
});

export const RotateSecret = Type.Object(
  {
    expire_previous_in_hours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: webhookLimits.rotationOverlapHoursMax,
        default: webhookLimits.rotationOverlapHoursDefault,
        description:
          'Hours the old secret keeps signing deliveries alongside the new one (webhook-signature carries both); 0 drops it at once',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EventTypeInfo = Type.Object({ type: Type.String(), description: Type.String() });

export const Attempt = Type.Object({
  id: Id,
  delivery_id: Id,
  endpoint_id: Id,
  event_id: Type.String(),
  event_type: Type.String(),
  attempt: Type.Integer(),
  outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('retry'), Type.Literal('failed')]),
  requested_at: Timestamp,
  response_status: Nullable(Type.Integer()),
  duration_ms: Type.Integer(),
  response_body: Nullable(Type.String()),
  error: Nullable(Type.String()),
  created_at: Timestamp,
});

export const Delivery = Type.Object({
  id: Type.String({ description: 'The webhook-id header of every attempt' }),
  endpoint_id: Id,
  event_id: Type.String(),
  event_type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('dead')]),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  last_error: Nullable(Type.String()),
  message: Type.Object({ type: Type.String(), timestamp: Type.String(), data: Type.Record(Type.String(), Type.Unknown()) }),
  created_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Nullable(Timestamp),
  attempt_log: Type.Array(Attempt),
});

export const ReplayPeriod = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'Replay dead deliveries created at or after this time' }),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'and before this time (default: now)' })),
  },
  { additionalProperties: false },
);

export const ReplayResult = Type.Object({
  replayed: Type.Integer(),
  delivery_ids: Type.Array(Type.String()),
  more: Type.Boolean({ description: 'More dead deliveries remain in the period: call again' }),
});
