import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  buyLabels,
  createManifest,
  listParcels,
  manifestFile,
  packParcels,
  parcelLabelFile,
  pickListFile,
  proposePacking,
  releaseWave,
  scanPick,
  shipFulfillmentOrder,
  shortPick,
} from '../contexts/warehouse/index.js';
import type { Result } from '../kernel/result.js';
import { CliError, type GlobalOptions, withApp } from './context.js';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new CliError(`${result.error.code}: ${result.error.detail}`);
  return result.value;
}

const positive = (raw: string | undefined, flag: string): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a positive whole number`);
  return n;
};

const print = (json: boolean | undefined, data: unknown, text: () => string) => console.log(json ? JSON.stringify(data, null, 2) : text());

export function warehouseCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('wave')
    .description('Release a wave at a warehouse: start matching open work and print its pick lists')
    .requiredOption('--location <code>', 'warehouse or store code')
    .option('--strategy <strategy>', 'single (one order per pick list) or batch (a tote per order)', 'single')
    .option('--service-level <level>', 'only orders with this service level')
    .option('--promise-before <date>', 'only orders promised on or before YYYY-MM-DD')
    .option('--max-orders <n>', 'at most this many orders')
    .option('--max-units <n>', 'at most this many units')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        location: string;
        strategy: string;
        serviceLevel?: string;
        promiseBefore?: string;
        maxOrders?: string;
        maxUnits?: string;
        json?: boolean;
      }) => {
        if (o.strategy !== 'single' && o.strategy !== 'batch') throw new CliError('--strategy must be single or batch');
        if (o.promiseBefore !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.promiseBefore))
          throw new CliError('--promise-before must be YYYY-MM-DD');
        await withApp(globals(), async (app) => {
          const wave = value(
            await releaseWave(
              app,
              {
                location: o.location,
                strategy: o.strategy as 'single' | 'batch',
                service_level: o.serviceLevel,
                promise_date_before: o.promiseBefore,
                max_orders: positive(o.maxOrders, '--max-orders'),
                max_units: positive(o.maxUnits, '--max-units'),
              },
              'cli',
            ),
          );
          print(o.json, wave, () =>
            [
              `wave ${wave.id}: ${wave.fulfillment_order_ids.length} fulfillment orders, ${wave.pick_lists.length} pick lists`,
              ...wave.pick_lists.flatMap((l) => [
                `pick list ${l.id} (walk ${(l.walk_length / 1000).toFixed(1)} m, unordered ${(l.naive_walk_length / 1000).toFixed(1)} m)`,
                ...l.tasks.map(
                  (t) =>
                    `  ${String(t.position).padStart(3)}  ${(t.bin ?? 'UNSLOTTED').padEnd(10)} ${t.sku.padEnd(16)} ${String(t.quantity).padStart(4)}  -> ${t.tote}  ${t.barcode ?? ''}`,
                ),
              ]),
            ].join('\n'),
          );
        });
      },
    );
  program
    .command('pick <pick-list>')
    .description(
      'Confirm a pick by scan (--bin and --barcode), record a short pick (--short TASK), or write the pick list PDF (--pdf FILE)',
    )
    .option('--bin <bin>', 'the bin scanned')
    .option('--barcode <code>', 'the item scanned: GTIN or SKU')
    .option('--quantity <n>', 'units (default 1)')
    .option('--short <task>', 'record the given task as short by --quantity units')
    .option('--pdf <file>', 'write the pick list as PDF')
    .option('--json', 'print JSON')
    .action(
      async (listId: string, o: { bin?: string; barcode?: string; quantity?: string; short?: string; pdf?: string; json?: boolean }) => {
        await withApp(globals(), async (app) => {
          if (o.pdf) {
            const file = value(await pickListFile(app, listId));
            fs.writeFileSync(o.pdf, file.bytes);
            console.log(`wrote ${o.pdf}`);
            return;
          }
          if (o.short) {
            const quantity = positive(o.quantity, '--quantity');
            if (quantity === undefined) throw new CliError('--short needs --quantity');
            const outcome = value(await shortPick(app, listId, { task_id: o.short, quantity }, 'cli'));
            print(
              o.json,
              outcome,
              () =>
                `short ${quantity}: re-sourced ${outcome.reallocated.map((r) => `${r.quantity} to ${r.location}`).join(', ') || 'nothing'}, backordered ${outcome.backordered}`,
            );
            return;
          }
          if (!o.bin || !o.barcode) throw new CliError('say --bin and --barcode (or --short, or --pdf)');
          const scanned = value(
            await scanPick(app, listId, { bin: o.bin, barcode: o.barcode, quantity: positive(o.quantity, '--quantity') }, 'cli'),
          );
          print(
            o.json,
            scanned,
            () =>
              `${scanned.sku} -> tote ${scanned.tote}; ${scanned.remaining_quantity} left of this pick; list ${scanned.pick_list.status}`,
          );
        });
      },
    );
  program
    .command('pack <fulfillment-order>')
    .description('Pack picked units: verify each scan, use the proposed boxes or --box, and print the parcels')
    .option('--scan <codes...>', 'one GTIN or SKU per unit (default: every picked unit)')
    .option('--box <code>', "the packer's box instead of the proposal")
    .option('--propose', 'only show the proposal')
    .option('--json', 'print JSON')
    .action(async (foId: string, o: { scan?: string[]; box?: string; propose?: boolean; json?: boolean }) => {
      await withApp(globals(), async (app) => {
        const input = { ...(o.scan ? { scans: o.scan } : {}), ...(o.box ? { box: o.box } : {}) };
        if (o.propose) {
          const proposal = value(await proposePacking(app, foId, input));
          print(o.json, proposal, () =>
            proposal.parcels
              .map(
                (p) =>
                  `${p.box}: ${p.items.map((i) => `${i.quantity}x ${i.sku}`).join(', ')} (${p.billable_weight_g} g billable, fill ${(p.fill_ratio * 100).toFixed(0)}%)`,
              )
              .join('\n'),
          );
          return;
        }
        const parcels = value(await packParcels(app, foId, input, 'cli'));
        print(o.json, parcels, () =>
          parcels
            .map((p) => `parcel ${p.id} in ${p.box}, SSCC ${p.sscc}: ${p.items.map((i) => `${i.quantity}x ${i.sku}`).join(', ')}`)
            .join('\n'),
        );
      });
    });
  program
    .command('ship <fulfillment-order>')
    .description('Buy labels for packed parcels (rate shopping), ship them, and write the label files')
    .option('--strategy <strategy>', 'cheapest, fastest or promise', 'cheapest')
    .option('--carrier <id>', 'only this carrier (table-rate, easypost)')
    .option('--labels-dir <dir>', 'write each label as PDF and ZPL here')
    .option('--json', 'print JSON')
    .action(async (foId: string, o: { strategy: string; carrier?: string; labelsDir?: string; json?: boolean }) => {
      if (!['cheapest', 'fastest', 'promise'].includes(o.strategy)) throw new CliError('--strategy must be cheapest, fastest or promise');
      await withApp(globals(), async (app) => {
        const parcels = value(await listParcels(app, foId));
        if (parcels.some((p) => p.status === 'packed'))
          value(await buyLabels(app, foId, { strategy: o.strategy as 'cheapest', ...(o.carrier ? { carrier: o.carrier } : {}) }, 'cli'));
        const shipment = value(await shipFulfillmentOrder(app, foId, 'cli'));
        if (o.labelsDir) {
          fs.mkdirSync(o.labelsDir, { recursive: true });
          for (const parcel of shipment.parcels) {
            for (const format of ['pdf', 'zpl'] as const) {
              const file = await parcelLabelFile(app, parcel.id, format);
              if (file.ok) fs.writeFileSync(path.join(o.labelsDir, file.value.filename), file.value.bytes);
            }
          }
        }
        print(
          o.json,
          shipment,
          () =>
            `shipped ${shipment.id} by ${shipment.carrier} ${shipment.service}: ${shipment.tracking_numbers.join(', ')} (cost ${shipment.cost} ${shipment.currency})`,
        );
      });
    });
  program
    .command('manifest')
    .description('Close the day: manifest every parcel of a carrier shipped from a location')
    .requiredOption('--location <code>', 'location code')
    .requiredOption('--carrier <id>', 'carrier id (table-rate, easypost)')
    .option('--date <date>', 'ship date YYYY-MM-DD (default today)')
    .option('--out <file>', 'write the manifest PDF here')
    .option('--json', 'print JSON')
    .action(async (o: { location: string; carrier: string; date?: string; out?: string; json?: boolean }) => {
      if (o.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new CliError('--date must be YYYY-MM-DD');
      await withApp(globals(), async (app) => {
        const manifest = value(await createManifest(app, { location: o.location, carrier: o.carrier, ship_date: o.date }, 'cli'));
        if (o.out) fs.writeFileSync(o.out, value(await manifestFile(app, manifest.id)).bytes);
        print(
          o.json,
          manifest,
          () =>
            `manifest ${manifest.id}: ${manifest.parcels.length} parcels of ${manifest.carrier} from ${manifest.location} on ${manifest.ship_date}${o.out ? `; wrote ${o.out}` : ''}`,
        );
      });
    });
}
