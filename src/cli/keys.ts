import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey, scopes } from '../contexts/access/index.js';
import { CliError, type GlobalOptions, withApp } from './context.js';

export function keysCommand(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('Manage API keys');
  keys
    .command('create')
    .description('Create an API key; the key is printed once and stored only as a hash')
    .requiredOption('--name <name>', 'who or what the key is for')
    .requiredOption('--scope <scope...>', `one or more of: ${scopes.join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (options: { name: string; scope: string[]; json?: boolean }) => {
      await withApp(globals(), async (app) => {
        const result = await createApiKey(app, { name: options.name, scopes: options.scope });
        if (!result.ok) throw new CliError(result.error.detail);
        if (options.json) console.log(JSON.stringify(result.value, null, 2));
        else {
          console.log(result.value.key);
          console.error(
            `created ${result.value.api_key.id} (${result.value.api_key.scopes.join(', ')}); store the key now, it is not shown again`,
          );
        }
      });
    });
  keys
    .command('list')
    .description('List API keys')
    .action(async () => {
      await withApp(globals(), async (app) => {
        for (const k of await listApiKeys(app)) {
          console.log(
            `${k.id}\tfk_${k.prefix}_…\t${k.name}\t${k.scopes.join(',')}\t${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'}`,
          );
        }
      });
    });
  keys
    .command('revoke <id>')
    .description('Revoke an API key')
    .action(async (id: string) => {
      await withApp(globals(), async (app) => {
        const result = await revokeApiKey(app, id);
        if (!result.ok) throw new CliError(result.error.detail);
        console.log(`revoked ${id}`);
      });
    });
}
