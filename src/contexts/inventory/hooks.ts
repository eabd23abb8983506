import type { Tx } from '../../storage/index.js';
import type { Deps } from '../deps.js';
import type { StockBook } from './stock-book.js';

/**
 * Called inside the transaction that made stock available (receipt, adjustment up, transfer received),
 * with the same StockBook, so that waiting demand (backorders) is served first-in-first-out in the same
 * commit. The orders context provides it; the composition root wires it (inventory never imports orders).
 */
export type StockAvailableHook = (context: {
  readonly tx: Tx;
  readonly deps: Deps;
  readonly book: StockBook;
  readonly pairs: readonly { readonly itemId: string; readonly locationId: string }[];
  readonly actor: string;
  readonly now: string;
}) => Promise<{ allocated: number }>;

export interface InventoryDeps extends Deps {
  readonly onStockAvailable?: StockAvailableHook | undefined;
}
