import { type App, compose, composeOptions } from '../compose.js';
import { type Config, loadConfig } from '../kernel/config.js';

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
}

/** The configuration for a CLI command: the environment, overridden by global flags (checked the same way). */
export function cliConfig(options: GlobalOptions): Config {
  return loadConfig({
    ...process.env,
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
}

/** Runs a command against the configured database and always closes it. */
export async function withApp<T>(options: GlobalOptions, fn: (app: App, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig(options);
  const app = await compose(composeOptions(config));
  try {
    return await fn(app, config);
  } finally {
    await app.close();
  }
}

/** A failure the user can act on: printed without a stack trace, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}
