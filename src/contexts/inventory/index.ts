export * from './domain/ledger.js';
export type { InventoryDeps, StockAvailableHook } from './hooks.js';
export { type LevelView, listLevels, listMovements, type MovementView, type VerifyReport, verifyInventory } from './levels.js';
export {
  type AdjustmentInput,
  adjustStock,
  type ReceiptInput,
  receiveStock,
  type StockChangeView,
} from './receive-adjust.js';
export { StockBook } from './stock-book.js';
export { levelKey, lockLevels } from './store.js';
export {
  cancelTransfer,
  createTransfer,
  getTransfer,
  listTransfers,
  receiveTransfer,
  type TransferInput,
  type TransferStatus,
  type TransferView,
  transferStatuses,
} from './transfers.js';
