import { Command, CommanderError } from 'commander';
import { outboxStats } from '../contexts/outbox/index.js';
import { CarrierSetupError } from '../contexts/shipping/index.js';
import { ConfigError } from '../kernel/config.js';
import { serve } from '../server.js';
import { work } from '../worker.js';
import { CliError, cliConfig, type GlobalOptions, withApp } from './context.js';
import { demoCommand } from './demo.js';
import { digitalCommand } from './digital.js';
import { importCommand } from './import.js';
import { inventoryCommand } from './inventory.js';
import { keysCommand } from './keys.js';
import { warehouseCommands } from './warehouse.js';

export function buildProgram(): Command {
  const program = new Command('fulfill')
    .description(
      'Fulfill: orders, inventory ledger and sourcing. Configuration comes from the environment (see README); flags override it.',
    )
    .option('--data-dir <dir>', 'directory of the embedded SQLite database (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres:// URL (env DATABASE_URL); unset means SQLite')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  program
    .command('serve')
    .description('Run the API server (env PORT, HOST, DATA_DIR, DATABASE_URL, FULFILL_ADMIN_KEY)')
    .action(async () => {
      await serve(cliConfig(globals()));
    });
  program
    .command('worker')
    .description('Run the outbox dispatcher alone (e-mails, webhooks, forwards); pair with FULFILL_DISPATCHER=0 on servers')
    .action(async () => {
      await work(cliConfig(globals()));
    });
  program
    .command('outbox')
    .description('Show the outbox: events not yet routed, jobs by kind and status')
    .action(async () => {
      await withApp(globals(), async (app) => console.log(JSON.stringify(await outboxStats(app), null, 2)));
    });
  program
    .command('migrate')
    .description('Apply database migrations (the server also does this at start)')
    .action(async () => {
      await withApp(globals(), async (app) => console.log(`database is up to date (${app.db.dialect})`));
    });
  keysCommand(program, globals);
  importCommand(program, globals);
  inventoryCommand(program, globals);
  demoCommand(program, globals);
  warehouseCommands(program, globals);
  digitalCommand(program, globals);
  return program;
}

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A failure to reach or open the database, which the operator fixes in the configuration, not a bug: a refused
 * connection, PostgreSQL connection, authentication or unknown-database errors, a DATA_DIR that cannot be made.
 */
function isDatabaseUnreachable(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code !== 'string') return false;
  return connectionErrorCodes.has(code) || /^(08|28|3D)[0-9A-Z]{3}$/.test(code) || code === 'SQLITE_CANTOPEN' || syscall === 'mkdir';
}

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof CliError || error instanceof ConfigError || error instanceof CarrierSetupError) {
      console.error(`fulfill: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    if (isDatabaseUnreachable(error)) {
      console.error(`fulfill: cannot reach the database (check DATABASE_URL or DATA_DIR): ${(error as Error).message}`);
      process.exitCode = 1;
      return;
    }
    console.error('fulfill: unexpected error');
    console.error(error);
    process.exitCode = 2;
  }
}
