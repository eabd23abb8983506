import path from 'node:path';

/** Configuration comes only from the environment; every setting has a documented default (README). */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Unset means SQLite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly adminKey: string | undefined;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const adminKey = env.FULFILL_ADMIN_KEY?.trim() || undefined;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('FULFILL_ADMIN_KEY must be at least 16 characters');
  }
  return {
    port: parsePort(env.PORT, 3000),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl,
    adminKey,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
  };
}
