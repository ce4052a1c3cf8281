/**
 * Whether the database can take new work now, and the gate that refuses new work at once while it
 * cannot (so a request answers 503 in milliseconds instead of waiting on a hung or locked database).
 *
 * The signal is a probe: a cheap read of the tables the service cannot work without, every
 * `probeIntervalMs`, and at once when a request met an unavailability error. A probe that fails
 * (lock_timeout, statement_timeout, refused or dropped connection) or takes longer than
 * `probeTimeoutMs` opens the breaker; while it is open the gate refuses every new connection
 * acquisition, and after `probeIntervalMs` the next probe is the trial that closes it again.
 *
 * The gate only acts where no work has started: on acquiring a connection. A statement already
 * running is never cut off by the client; it ends by itself or by the server-side timeouts, so its
 * transaction rolls back on the server and a 503 never hides a commit that happened.
 *
 * The breaker is opossum's (timeouts, half-open trial, state events); it wraps the probe only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomInt } from 'node:crypto';
import CircuitBreaker from 'opossum';
import { sql, type DatabaseConnection, type Dialect, type Driver, type Kysely, type TransactionSettings } from 'kysely';
import { DatabaseUnavailableError } from './db-errors.ts';

export interface AvailabilitySettings {
  /** Probe period while the database answers; also how long the breaker stays open before a trial (ms). */
  readonly probeIntervalMs: number;
  /** A probe slower than this counts as a failure (ms); null: none (PGlite runs in this process). */
  readonly probeTimeoutMs: number | null;
}

export const defaultAvailabilitySettings: AvailabilitySettings = Object.freeze({ probeIntervalMs: 250, probeTimeoutMs: 1_000 });

export interface AvailabilityEvents {
  onUnavailable?(reason: unknown): void;
  onAvailable?(): void;
}

/** The database's availability as the HTTP edge and readiness see it. */
export interface DatabaseAvailability {
  /** False from a failed probe until a trial probe succeeds: new database work is refused. */
  isAvailable(): boolean;
  /** Seconds a refused client should wait, spread over 1..3 so retries do not return together. */
  retryAfterSec(): number;
  /** Starts probing with `probe`; it should read every table requests need (see probeTables). */
  watch(probe: () => Promise<unknown>, events?: AvailabilityEvents): void;
  /** A request just met an unavailability error: probe now unless a probe is running. */
  probeSoon(): void;
  /** Stops probing; the gate stays in its last state. */
  stop(): void;
}

/** Marks the probe's own database work, which the gate must let through to find out it is back. */
const probing = new AsyncLocalStorage<true>();

export function createDatabaseAvailability(settings: AvailabilitySettings = defaultAvailabilitySettings): DatabaseAvailability {
  let probe: (() => Promise<unknown>) | null = null;
  let events: AvailabilityEvents = {};
  let lastFailure: unknown = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => probing.run(true, work), {
    timeout: settings.probeTimeoutMs ?? false,
    resetTimeout: settings.probeIntervalMs,
    // Any failed probe opens: it is one cheap read, so a failure is not noise.
    errorThresholdPercentage: 0,
    volumeThreshold: 1,
  });
  breaker.on('failure', (e: unknown) => { lastFailure = e; });
  breaker.on('open', () => events.onUnavailable?.(lastFailure));
  breaker.on('close', () => events.onAvailable?.());

  function runProbe(): void {
    if (running || !probe) return;
    running = breaker.fire(probe).then(() => undefined, () => undefined).finally(() => { running = null; });
  }

  return {
    isAvailable: () => breaker.closed,
    retryAfterSec: () => randomInt(1, 4),
    watch(p, e = {}) {
      probe = p;
      events = e;
      timer ??= setInterval(runProbe, settings.probeIntervalMs).unref();
      runProbe();
    },
    probeSoon: runProbe,
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      probe = null;
    },
  };
}

/** A probe that takes a share lock on each table (as every read does) without reading a row. */
export async function probeTables<DB>(db: Kysely<DB>, tables: readonly (keyof DB & string)[]): Promise<void> {
  const reads = tables.map((t) => sql`(SELECT 1 FROM ${sql.table(t)} LIMIT 0)`);
  await sql`SELECT ${sql.join(reads)}`.execute(db);
}

/** `inner` with its driver's connection acquisition refused (DatabaseUnavailableError) while unavailable. */
export function gatedDialect(inner: Dialect, availability: Pick<DatabaseAvailability, 'isAvailable'>): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => new GatedDriver(inner.createDriver(), availability),
  };
}

class GatedDriver implements Driver {
  readonly savepoint?: Driver['savepoint'];
  readonly rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(private readonly inner: Driver, private readonly availability: Pick<DatabaseAvailability, 'isAvailable'>) {
    // Kysely asks whether a driver has savepoints by looking for the methods: offer only what inner has.
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner);
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  }

  init() { return this.inner.init(); }
  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.availability.isAvailable() && !probing.getStore()) throw new DatabaseUnavailableError();
    return this.inner.acquireConnection();
  }
  beginTransaction(c: DatabaseConnection, s: TransactionSettings) { return this.inner.beginTransaction(c, s); }
  commitTransaction(c: DatabaseConnection) { return this.inner.commitTransaction(c); }
  rollbackTransaction(c: DatabaseConnection) { return this.inner.rollbackTransaction(c); }
  releaseConnection(c: DatabaseConnection) { return this.inner.releaseConnection(c); }
  destroy() { return this.inner.destroy(); }
}
