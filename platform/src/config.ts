import path from 'node:path';
import { z } from 'zod';

/**
 * Settings of the local platform, read once from the environment.
 * Every port and folder has a default so that `npm run dev` needs no configuration.
 */
const schema = z.object({
  WUYE_DATA_DIR: z.string().default('.data/local'),
  PLATFORM_HOST: z.string().default('127.0.0.1'),
  PLATFORM_PORT: z.coerce.number().int().min(0).max(65535).default(54321),
  DB_PORT: z.coerce.number().int().min(1).max(65535).default(54322),
  PLATFORM_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type PlatformConfig = {
  dataDir: string;
  pgDataDir: string;
  host: string;
  apiPort: number;
  dbPort: number;
  logLevel: z.infer<typeof schema>['PLATFORM_LOG_LEVEL'];
};

export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid local platform settings:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(parsed.data.WUYE_DATA_DIR);
  return {
    dataDir,
    pgDataDir: path.join(dataDir, 'postgres'),
    host: parsed.data.PLATFORM_HOST,
    apiPort: parsed.data.PLATFORM_PORT,
    dbPort: parsed.data.DB_PORT,
    logLevel: parsed.data.PLATFORM_LOG_LEVEL,
  };
}

export function apiUrl(config: PlatformConfig): string {
  return `http://${config.host}:${config.apiPort}`;
}

export function databaseUrl(config: PlatformConfig, database = 'postgres'): string {
  return `postgresql://postgres:postgres@${config.host}:${config.dbPort}/${database}`;
}
