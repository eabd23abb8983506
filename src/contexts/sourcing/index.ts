export { defaultSourcingStrategy } from './domain/default-strategy.js';
export { postalNumericDistance, postalPrefixMatch, rankLocations } from './domain/rank.js';
export type {
  Allocation,
  Destination,
  Shortfall,
  SourcingInput,
  SourcingLine,
  SourcingLocation,
  SourcingPlan,
  SourcingStrategy,
} from './domain/types.js';
