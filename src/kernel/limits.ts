/**
 * Every limit of the system, named with its unit last. A limit is a promise to clients (documented in
 * docs/limits.md and enforced by the schemas) and a bound that keeps one request from hurting others.
 */
export const limits = {
  requestBodyBytesMax: 1_048_576,
  batchBodyBytesMax: 16_777_216,
  orderLinesMax: 500,
  lineQuantityMax: 1_000_000,
  batchOrdersMax: 1_000,
  receiptLinesMax: 1_000,
  pageSizeDefault: 50,
  pageSizeMax: 500,
  skuLengthMax: 64,
  codeLengthMax: 32,
  nameLengthMax: 200,
  textLengthMax: 2_000,
  externalIdLengthMax: 128,
  idempotencyKeyLengthMax: 255,
  holdsPerOrderMax: 50,
  /** Orders gathered into one group commit. */
  groupCommitOrdersMax: 256,
  /** Statement parameters per multi-row insert, below SQLite's and PostgreSQL's limits. */
  statementParamsMax: 30_000,
  /** Times a group commit is retried order by order after a database conflict. */
  intakeRetriesMax: 3,
  /** How long an authenticated API key stays cached; a revoked key stops working within it. */
  apiKeyCacheMs: 10_000,
  apiKeyCacheEntriesMax: 10_000,
  idempotencyRetentionHours: 24,
  importRowsMax: 10_000_000,
} as const;
