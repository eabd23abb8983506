export { gs1CheckDigit, isValidGtin } from './domain/gtin.js';
export * from './domain/types.js';
export { createItem, getItem, type ItemInput, type ItemPatch, listItems, updateItem } from './items.js';
export {
  type BinInput,
  createBins,
  createLocation,
  getLocation,
  type LocationInput,
  type LocationPatch,
  listBins,
  listLocations,
  locationPriorityDefault,
  updateLocation,
} from './locations.js';
export {
  findItemBySku,
  findItemsByIds,
  findItemsBySkus,
  findLocationByCode,
  findLocationsByCodes,
  findLocationsByIds,
  type ItemRow,
  type LocationRow,
  toItem,
  toLocation,
} from './store.js';
