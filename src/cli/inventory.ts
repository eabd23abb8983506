import type { Command } from 'commander';
import { verifyInventory } from '../contexts/inventory/index.js';
import { type GlobalOptions, withApp } from './context.js';

export function inventoryCommand(program: Command, globals: () => GlobalOptions): void {
  const inventory = program.command('inventory').description('Inventory ledger tools');
  inventory
    .command('verify')
    .description('Prove that every level equals the fold of its ledger movements and reserved equals open demand; exit 1 if not')
    .option('--json', 'print the full report as JSON')
    .action(async (options: { json?: boolean }) => {
      await withApp(globals(), async (app) => {
        const report = await verifyInventory(app);
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else {
          console.log(`${report.ok ? 'OK' : 'MISMATCH'}: ${report.levels_checked} levels, ${report.movements_checked} movements checked`);
          for (const m of report.ledger_mismatches)
            console.log(`ledger  ${m.sku} @ ${m.location}: level ${JSON.stringify(m.level)} ledger ${JSON.stringify(m.ledger)}`);
          for (const m of report.reservation_mismatches)
            console.log(`reserve ${m.sku} @ ${m.location}: reserved ${m.reserved}, open demand ${m.open_demand}`);
        }
        if (!report.ok) process.exitCode = 1;
      });
    });
}
