/** Tables of the webhooks area (migration in migrations/). */
// biome-ignore lint/suspicious/noEmptyInterface: filled as the area grows
export interface WebhookTables {}
