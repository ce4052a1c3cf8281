/**
 * One Kysely interface over two engines: real Postgres (pg) when DATABASE_URL is set, and the
 * embedded PGlite database otherwise. The same numbered SQL migrations and the same queries
 * serve both. Both drivers are set to return DATE as 'YYYY-MM-DD' (a JS Date at local midnight
 * shifts with the process time zone) and int8 as number (ids stay far below 2^53).
 */
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Config } from './config.ts';
import type { Database } from './database.ts';
import {
  createDatabaseAvailability,
  defaultAvailabilitySettings,
  gatedDialect,
  gatedDialects,
  type AvailabilitySettings,
  type DatabaseAvailability,
} from './db-availability.ts';

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
  /** Whether new work can start; while not, acquiring a connection throws DatabaseUnavailableError. */
  availability: DatabaseAvailability;
  /**
   * Where the availability probe reads: on pg a connection of its own (a probe must not queue
   * behind the requests it is meant to rescue), on PGlite the one session, through the gate.
   */
  probeDb: Db;
  close(): Promise<void>;
}

/**
 * Starts the text of a statement the service runs on every booking: on Postgres it is sent as a
 * named prepared statement (parsed and analysed once per connection, then only bound and executed;
 * the text is not sent again). A comment, so PGlite and logs see plain SQL. Only statements with
 * a fixed text should carry it (one prepared statement per distinct text and connection).
 */
export const PREPARED = '/* prepared */ ';

/** At most this many distinct texts are prepared per process; any further one runs unnamed. */
const MAX_PREPARED_TEXTS = 64;
const preparedNames = new Map<string, string>();

function preparedNameOf(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED_TEXTS) {
    name = `yeyak_${preparedNames.size + 1}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** pg's client with PREPARED statements sent as named statements (Kysely passes text and values). */
class PreparingClient extends pg.Client {
  // pg's query has many overloads; this one only rewrites (text, values) calls and passes the rest on.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = typeof text === 'string' && text.startsWith(PREPARED) ? preparedNameOf(text) : undefined;
    const call = super.query as (...a: unknown[]) => never;
    if (name !== undefined && Array.isArray(values) && args.length === 2)
      return call.call(this, { name, text, values });
    return call.apply(this, args);
  }
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
  /** Timeouts (pg only; PGlite runs in this process); none when absent (scripts, tests). */
  timeouts?: DatabaseTimeouts;
  /** Names this process's backends in pg_stat_activity (operators and fault tests find them by it). */
  applicationName?: string;
  /** A pooled connection failed outside a query (backend terminated, server restart): log it. */
  onConnectionError?: (e: Error) => void;
  availability?: AvailabilitySettings;
}

/** All in ms. Statement, lock and idle-in-transaction limits are enforced by the server. */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free pooled one. */
  connectMs: number;
  statementMs: number;
  /** Waiting for a row or table lock (a locked table fails a statement after this, not after statementMs). */
  lockMs: number;
  idleInTransactionMs: number;
  /** A pooled connection unused this long is closed. */
  idleMs: number;
}

/**
 * The embedded database's directory exists but PGlite cannot open it. PGlite has no crash recovery:
 * a server killed while writing (kill -9 under load, a power cut) can leave its WAL unreadable, and
 * the next start aborts inside the WASM build with only `RuntimeError: Aborted()`. The message says
 * what happened and the two ways on; nothing is deleted for the operator.
 */
export class EmbeddedDatabaseUnreadable extends Error {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(
      `The embedded database in ${dir} could not be opened (${cause instanceof Error ? cause.message : String(cause)}).\n` +
        'It was most likely left unreadable by a server stopped hard while writing: embedded PGlite has no crash recovery.\n' +
        `Keep it aside and start a fresh one:   mv ${dir} ${dir}.unreadable-${Date.now()} && npm start\n` +
        `or start over with a fresh demo database (the README's way):   rm -rf ${dirname(dir)} && npm start`,
      { cause },
    );
    this.name = 'EmbeddedDatabaseUnreadable';
  }
}

export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    if (opts.schema) await createSchema(opts.databaseUrl, opts.schema);
    const poolConfig: pg.PoolConfig = {
      connectionString: opts.databaseUrl,
      keepAlive: true,
      ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
      ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
      ...(opts.timeouts
        ? {
            connectionTimeoutMillis: opts.timeouts.connectMs,
            idleTimeoutMillis: opts.timeouts.idleMs,
            statement_timeout: opts.timeouts.statementMs,
            lock_timeout: opts.timeouts.lockMs,
            idle_in_transaction_session_timeout: opts.timeouts.idleInTransactionMs,
          }
        : {}),
    };
    const pool = new pg.Pool({ ...poolConfig, max: opts.poolSize ?? 16, Client: PreparingClient });
    const probePool = new pg.Pool({ ...poolConfig, max: 1 });
    // Without these listeners one terminated backend kills the process: pg emits 'error' on the
    // pool for an idle connection and on the client for a checked-out one between queries. The
    // pool drops the broken connection either way; the next acquisition opens a fresh one.
    const onError = (e: Error) => opts.onConnectionError?.(e);
    for (const p of [pool, probePool]) {
      p.on('error', onError);
      p.on('connect', (client) => {
        client.on('error', onError);
      });
    }
    const availability = createDatabaseAvailability(opts.availability);
    const db = new Kysely<Database>({
      dialect: gatedDialect(new PostgresDialect({ pool }), availability),
      // Kysely reports a failed statement here before its connection goes back to the pool.
      log: (event) => {
        if (event.level === 'error') availability.reportFailure(event.error);
      },
    });
    const probeDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: probePool }) });
    return {
      db,
      engine: 'postgres',
      execScript: async (trx, script) => {
        await sql.raw(script).execute(trx);
      },
      availability,
      probeDb,
      close: async () => {
        availability.stop();
        await probeDb.destroy();
        await db.destroy();
      },
    };
  }
  if (opts.pgliteDir) mkdirSync(opts.pgliteDir, { recursive: true });
  const pgliteDir = opts.pgliteDir;
  const lite = await PGlite.create({
    ...(pgliteDir ? { dataDir: pgliteDir } : {}),
    parsers: { [pgliteTypes.DATE]: (v: string) => v, [pgliteTypes.INT8]: (v: string) => Number(v) },
  }).catch((e: unknown) => {
    throw pgliteDir ? new EmbeddedDatabaseUnreadable(pgliteDir, e) : e;
  });
  // In-process: a slow PGlite is a busy event loop, which no client-side probe timeout can tell apart.
  const availability = createDatabaseAvailability({
    ...(opts.availability ?? defaultAvailabilitySettings),
    probeTimeoutMs: null,
  });
  // The probe's handle shares the gated one's driver (PGlite's one connection) without its gate.
  const dialects = gatedDialects(new PGliteDialect(lite), availability);
  const db = new Kysely<Database>({ dialect: dialects.gated });
  const probeDb = new Kysely<Database>({ dialect: dialects.ungated });
  return {
    db,
    engine: 'pglite',
    execScript: async (_trx, script) => {
      await lite.exec(script);
    },
    availability,
    probeDb,
    close: async () => {
      availability.stop();
      await db.destroy();
    },
  };
}

/** How the service opens its database (server.ts, cluster workers): pool, timeouts and probe from config. */
export function serviceDatabaseOptions(
  config: Config,
  pgliteDir: string | null,
  onConnectionError: (e: Error) => void,
): OpenOptions {
  return {
    databaseUrl: config.databaseUrl,
    pgliteDir,
    poolSize: config.databasePoolSize,
    applicationName: 'yeyak',
    onConnectionError,
    timeouts: {
      connectMs: config.databaseConnectTimeoutMs,
      statementMs: config.databaseStatementTimeoutMs,
      lockMs: config.databaseLockTimeoutMs,
      idleInTransactionMs: config.databaseIdleInTransactionTimeoutMs,
      idleMs: config.databaseIdleTimeoutMs,
    },
    availability: { probeIntervalMs: config.databaseProbeIntervalMs, probeTimeoutMs: config.databaseProbeTimeoutMs },
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
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort();
  return handle.db.transaction().execute(async (trx) => {
    // A migration may wait for another process's (advisory lock) and may run long: no limits here.
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    await sql`SET LOCAL lock_timeout = 0`.execute(trx);
    await sql`SELECT pg_advisory_xact_lock(7215)`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(
      trx,
    );
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
