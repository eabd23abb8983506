import { Command, CommanderError } from 'commander';
import { ConfigError } from '../kernel/config.js';
import { serve } from '../server.js';
import { CliError, cliConfig, type GlobalOptions, withApp } from './context.js';
import { demoCommand } from './demo.js';
import { importCommand } from './import.js';
import { inventoryCommand } from './inventory.js';
import { keysCommand } from './keys.js';

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
    .command('migrate')
    .description('Apply database migrations (the server also does this at start)')
    .action(async () => {
      await withApp(globals(), async (app) => console.log(`database is up to date (${app.db.dialect})`));
    });
  keysCommand(program, globals);
  importCommand(program, globals);
  inventoryCommand(program, globals);
  demoCommand(program, globals);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`fulfill: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    console.error('fulfill: unexpected error');
    console.error(error);
    process.exitCode = 2;
  }
}
