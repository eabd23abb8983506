/** What sourcing knows about one order line. Only physical lines reach the strategy. */
export interface SourcingLine {
  /** The line's position in the order; allocations refer to it. */
  readonly index: number;
  readonly itemId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly policy: 'deny' | 'continue';
}

export interface SourcingLocation {
  readonly id: string;
  readonly code: string;
  /** Lower is preferred. */
  readonly priority: number;
  readonly country: string;
  readonly postalCode: string;
}

export interface Destination {
  readonly country: string;
  readonly postalCode: string;
}

export interface SourcingInput {
  readonly lines: readonly SourcingLine[];
  /** Active locations that hold stock of at least one of the lines' items. */
  readonly locations: readonly SourcingLocation[];
  /** Units available (on hand minus reserved) of an item at a location. */
  readonly available: (itemId: string, locationId: string) => number;
  readonly destination: Destination;
}

export interface Allocation {
  readonly lineIndex: number;
  readonly locationId: string;
  readonly quantity: number;
}

export interface Shortfall {
  readonly lineIndex: number;
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

export interface SourcingPlan {
  readonly allocations: readonly Allocation[];
  /** Quantities of `continue` lines left waiting for stock. */
  readonly backorders: readonly { readonly lineIndex: number; readonly quantity: number }[];
  /** Quantities of `deny` lines that cannot be filled: the order must be refused. */
  readonly shortfalls: readonly Shortfall[];
}

/** A sourcing strategy is a pure function; the default is documented in docs/sourcing.md. */
export type SourcingStrategy = (input: SourcingInput) => SourcingPlan;
