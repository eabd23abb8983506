/** Tables of the digital area (migration in migrations/). */
// biome-ignore lint/suspicious/noEmptyInterface: filled as the area grows
export interface DigitalTables {}
