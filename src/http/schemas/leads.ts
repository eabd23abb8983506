import { Type } from '@sinclair/typebox';
import { Id, Name, Nullable, PageQuery, Timestamp } from './common.js';

const Url = Type.String({ minLength: 1, maxLength: 2_000, description: 'An http(s) URL' });

export const FieldInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40, description: 'email, name, company, phone, country, or a custom name (a-z, 0-9, _)' }),
    type: Type.Optional(Type.Union(['email', 'text', 'phone', 'country', 'number', 'boolean', 'select'].map((t) => Type.Literal(t)))),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    required: Type.Optional(Type.Boolean()),
    max_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_000 })),
    min: Type.Optional(Type.Number({ minimum: -1e15, maximum: 1e15 })),
    max: Type.Optional(Type.Number({ minimum: -1e15, maximum: 1e15 })),
    integer: Type.Optional(Type.Boolean()),
    options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const AssetInput = Type.Object(
  {
    file_id: Type.Optional(Id),
    url: Type.Optional(Url),
    link_ttl_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8_760, description: 'How long a link works; default 168 (7 days)' })),
    max_downloads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, description: 'Downloads per link; default 10' })),
  },
  { additionalProperties: false, description: 'Exactly one of file_id (an uploaded file, POST /v1/files) and url' },
);

export const DestinationInput = Type.Object(
  {
    kind: Type.Union([Type.Literal('webhook'), Type.Literal('hubspot')]),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    url: Type.Optional(Url),
    secret: Type.Optional(
      Type.String({ maxLength: 200, description: 'whsec_ + base64 of 24 to 64 bytes; generated (and shown once) when absent' }),
    ),
    portal_id: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
    form_guid: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' })),
    base_url: Type.Optional(Url),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    subscription_type_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e15 })),
    max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  },
  {
    additionalProperties: false,
    description: 'webhook: url (+ secret); hubspot: portal_id, form_guid (+ base_url, token, subscription_type_id)',
  },
);

export const SpamInput = Type.Object(
  {
    min_submit_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600 })),
    json_requires_token: Type.Optional(Type.Boolean()),
    ip_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    form_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
);

const formProperties = {
  slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'The hosted page is /f/<slug>' }),
  name: Name,
  fields: Type.Array(FieldInput, { minItems: 1, maxItems: 30 }),
  asset: AssetInput,
  consent: Type.Object(
    { text: Type.String({ minLength: 1, maxLength: 2_000 }), version: Type.String({ minLength: 1, maxLength: 50 }) },
    { additionalProperties: false },
  ),
  double_opt_in: Type.Optional(Type.Boolean()),
  thank_you: Type.Optional(
    Type.Object(
      { message: Type.Optional(Type.String({ maxLength: 2_000 })), redirect_url: Type.Optional(Url) },
      { additionalProperties: false },
    ),
  ),
  allowed_origins: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
  locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('pt-BR')])),
  spam: Type.Optional(SpamInput),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')])),
};

export const FormCreate = Type.Object(
  { ...formProperties, destinations: Type.Optional(Type.Array(DestinationInput, { maxItems: 10 })) },
  { additionalProperties: false },
);

export const FormPatch = Type.Object(
  {
    slug: Type.Optional(formProperties.slug),
    name: Type.Optional(formProperties.name),
    fields: Type.Optional(formProperties.fields),
    asset: Type.Optional(formProperties.asset),
    consent: Type.Optional(formProperties.consent),
    double_opt_in: formProperties.double_opt_in,
    thank_you: formProperties.thank_you,
    allowed_origins: formProperties.allowed_origins,
    locale: formProperties.locale,
    spam: formProperties.spam,
    status: formProperties.status,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const FormView = Type.Object(
  { id: Type.String(), slug: Type.String(), name: Type.String(), status: Type.String() },
  { additionalProperties: true },
);

export const FormListQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')])) },
  { additionalProperties: false },
);

export const SubmissionBody = Type.Object(
  {
    fields: Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.String({ maxLength: 2_000 }), Type.Number(), Type.Boolean(), Type.Null()]),
      {
        maxProperties: 50,
      },
    ),
    consent: Type.Boolean({ description: 'The person accepted the consent text' }),
    page_uri: Type.Optional(Type.String({ maxLength: 2_000 })),
    render_token: Type.Optional(
      Type.String({ maxLength: 100, description: 'From GET /v1/public/forms/{form}; required when the form says so' }),
    ),
    hutk: Type.Optional(Type.String({ maxLength: 100, description: 'HubSpot tracking cookie, passed on to HubSpot' })),
    hp_website: Type.Optional(Type.String({ maxLength: 500, description: 'Honeypot: leave empty' })),
  },
  { additionalProperties: false },
);

export const SubmissionAccepted = Type.Object({
  status: Type.Literal('received'),
  confirmation_required: Type.Boolean(),
  message: Nullable(Type.String()),
  redirect_url: Nullable(Type.String()),
});

export const LeadListQuery = Type.Object(
  {
    ...PageQuery,
    form_id: Type.Optional(Id),
    email: Type.Optional(Type.String({ maxLength: 254, description: 'A piece of the e-mail address' })),
    status: Type.Optional(Type.Union([Type.Literal('pending_confirmation'), Type.Literal('confirmed')])),
    created_from: Type.Optional(Timestamp),
    created_to: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const ForwardListQuery = Type.Object(
  {
    ...PageQuery,
    form_id: Type.Optional(Id),
    status: Type.Optional(Type.Union(['pending', 'succeeded', 'dead', 'cancelled'].map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

export const EraseBody = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }) }, { additionalProperties: false });

export const Loose = Type.Object({}, { additionalProperties: true });
