import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { addPoolCodes, getDigitalProduct, parsePoolCsv, putDigitalProduct } from '../contexts/digital/index.js';
import { filesMaxBytes, saveFile } from '../contexts/files/index.js';
import { ProblemError } from '../kernel/problem.js';
import { CliError, type GlobalOptions, withApp } from './context.js';

const contentTypes: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.epub': 'application/epub+zip',
  '.mobi': 'application/x-mobipocket-ebook',
  '.zip': 'application/zip',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.dmg': 'application/x-apple-diskimage',
  '.exe': 'application/vnd.microsoft.portable-executable',
};

/** A problem from a use case, as a message the operator can act on. */
const asCliError = (error: unknown): unknown =>
  error instanceof ProblemError
    ? new CliError(`${error.problem.detail}${error.problem.errors ? ` ${JSON.stringify(error.problem.errors)}` : ''}`)
    : error;

export function digitalCommand(program: Command, globals: () => GlobalOptions): void {
  const digital = program.command('digital').description('Digital deliverables: files and license pools');
  digital
    .command('upload')
    .description('Store a file (and attach it to a digital item with --sku), or add license pool codes from a CSV with --pool <sku>')
    .argument('<file>', 'the file to store, or with --pool a CSV of codes (a `code` column, or one code per line)')
    .option('--sku <sku>', 'attach the stored file to this digital item (its other settings are kept)')
    .option('--pool <sku>', 'add the CSV’s codes to this digital item’s license pool')
    .option('--name <name>', 'download name (default: the file’s name)')
    .option('--type <media-type>', 'content type (default: from the extension, else application/octet-stream)')
    .action(async (file: string, options: { sku?: string; pool?: string; name?: string; type?: string }) => {
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliError(`no file ${file}`);
      await withApp(globals(), async (app) => {
        try {
          if (options.pool) {
            const codes = parsePoolCsv(fs.readFileSync(file, 'utf8'));
            const result = await addPoolCodes(app, options.pool, codes, 'cli');
            console.log(
              `${options.pool}: ${result.added} code(s) added, ${result.duplicates} duplicate(s) skipped, ${result.available} available; ${result.released_orders.length} held order(s) released`,
            );
            return;
          }
          const stored = await saveFile(app, fs.createReadStream(file), {
            name: options.name ?? path.basename(file),
            contentType: options.type ?? contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
            maxBytes: filesMaxBytes(),
            createdBy: 'cli',
          });
          console.log(`${stored.id}  ${stored.name}  ${stored.size} bytes  sha256 ${stored.sha256}`);
          if (options.sku) {
            const current = await getDigitalProduct(app, options.sku);
            await putDigitalProduct(app, options.sku, {
              files: [...current.files.map((f) => f.id), stored.id],
              download_limit: current.download_limit,
              access_days: current.access_days,
              distinct_ip_limit: current.distinct_ip_limit,
              license: current.license,
            });
            console.log(`attached to ${options.sku}`);
          }
        } catch (error) {
          throw asCliError(error);
        }
      });
    });
}
