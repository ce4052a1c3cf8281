/**
 * One Kysely interface over two engines: real Postgres (pg) when DATABASE_URL is set, and the
 * embedded PGlite database otherwise. The same numbered SQL migrations and the same queries
 * serve both. Both drivers are set to return DATE as 'YYYY-MM-DD' (a JS Date at local midnight
 * shifts with the process time zone) and int8 as number (ids stay far below 2^53).
 */
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './database.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Repositories take either; the service decides where a transaction starts. */
export type DbOrTrx = Db | Trx;

export interface DatabaseHandle {
  db: Db;
  engine: 'postgres' | 'pglite';
  /**
   * Runs a multi-statement SQL script inside `trx`. pg sends it with the simple protocol; PGlite's
   * prepared queries take one statement, so its `exec` is used (PGlite is one session, so the
   * script runs inside the transaction Kysely opened).
   */
  execScript(trx: Trx, script: string): Promise<void>;
  close(): Promise<void>;
}

const PG_DATE_OID = 1082;
const PG_INT8_OID = 20;
pg.types.setTypeParser(PG_DATE_OID, (v) => v);
pg.types.setTypeParser(PG_INT8_OID, (v) => Number(v));

export interface OpenOptions {
  databaseUrl: string | null;
  /** PGlite data directory; null keeps PGlite in memory (tests). */
  pgliteDir: string | null;
  poolSize?: number;
  /** Postgres schema to use (created if missing); tests isolate themselves with one per run. */
  schema?: string;
}

export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    if (opts.schema) await createSchema(opts.databaseUrl, opts.schema);
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 16,
      ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      engine: 'postgres',
      execScript: async (trx, script) => { await sql.raw(script).execute(trx); },
      close: () => db.destroy(),
    };
  }
  if (opts.pgliteDir) mkdirSync(opts.pgliteDir, { recursive: true });
  const lite = await PGlite.create({
    ...(opts.pgliteDir ? { dataDir: opts.pgliteDir } : {}),
    parsers: { [pgliteTypes.DATE]: (v: string) => v, [pgliteTypes.INT8]: (v: string) => Number(v) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  return {
    db,
    engine: 'pglite',
    execScript: async (_trx, script) => { await lite.exec(script); },
    close: () => db.destroy(),
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe schema name: ${name}`);
  return name;
}

async function createSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies numbered SQL files not yet recorded in schema_migrations, each in its own transaction,
 * in name order. An advisory lock makes concurrent starts (several processes) apply each once.
 * Returns the names applied now.
 */
export async function migrate(handle: DatabaseHandle, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  return handle.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7215)`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    const done = new Set((await trx.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await handle.execScript(trx, readFileSync(join(dir, file), 'utf8'));
      await trx.insertInto('schema_migrations').values({ name: file, applied_at: new Date() }).execute();
      applied.push(file);
    }
    return applied;
  });
}
