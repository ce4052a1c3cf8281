/**
 * Whether the database can take new work now, and the gate that refuses new work at once while it
 * cannot (so a request answers 503 in milliseconds instead of waiting on a hung or locked database).
 *
 * The signal is a probe: a cheap read of the tables the service cannot work without, every
 * `probeIntervalMs`, and at once when a request met an unavailability error. A probe that fails
 * (lock_timeout, statement_timeout, refused or dropped connection) or takes longer than
 * `probeTimeoutMs` opens the breaker; so does a request's statement timing out (lock or statement
 * timeout, no connection in time), which is first-hand news of a locked or slow database: it opens
 * before that statement's connection goes back to the pool, so the requests queued for it are
 * answered at once instead of waiting out the same lock (a lone straggler on a hot row costs one
 * probe interval of 503s; the probe then closes the breaker). While it is open the gate refuses every new connection acquisition, and after
 * `probeIntervalMs` the next probe is the trial that closes it again. A terminated connection alone
 * does not open it: the pool opens a new one, and the probe that follows says whether that works.
 *
 * The gate only acts where no work has started: on acquiring a connection. A statement already
 * running is never cut off by the client; it ends by itself or by the server-side timeouts, so its
 * transaction rolls back on the server and a 503 never hides a commit that happened.
 *
 * The breaker is opossum's (probe timeout, half-open trial, state events). It wraps the probe, not
 * each query: a breaker around queries would cut running statements off on the client, leaving a
 * connection mid-transaction or a COMMIT of unknown outcome behind a 503; a request's timeout opens
 * it directly (`breaker.open()`).
 */
import { randomInt } from 'node:crypto';
import CircuitBreaker from 'opossum';
import { sql, type DatabaseConnection, type Dialect, type Driver, type Kysely, type TransactionSettings } from 'kysely';
import { DatabaseUnavailableError, isDatabaseSlow, isDatabaseUnavailable } from './db-errors.ts';

export interface AvailabilitySettings {
  /** Probe period while the database answers; also how long the breaker stays open before a trial (ms). */
  readonly probeIntervalMs: number;
  /** A probe slower than this counts as a failure (ms); null: none (PGlite runs in this process). */
  readonly probeTimeoutMs: number | null;
}

export const defaultAvailabilitySettings: AvailabilitySettings = Object.freeze({
  probeIntervalMs: 250,
  probeTimeoutMs: 1_000,
});

export interface AvailabilityEvents {
  onUnavailable?(reason: unknown): void;
  onAvailable?(): void;
}

/** The database's availability as the HTTP edge and readiness see it. */
export interface DatabaseAvailability {
  /** False from a failed probe until a trial probe succeeds: new database work is refused. */
  isAvailable(): boolean;
  /**
   * Calls `listener` once when the database next becomes unavailable (at once if it is now);
   * returns the unsubscribe. A listener set, not a promise that each caller races: a promise that
   * never settles keeps every reaction attached to it, so racing it per query leaked ~0.5 kB a
   * query for as long as the database stayed up (and made garbage collection ever slower).
   */
  onceUnavailable(listener: () => void): () => void;
  /** Seconds a refused client should wait, spread over 1..3 so retries do not return together. */
  retryAfterSec(): number;
  /** Starts probing with `probe`; it should read every table requests need (see probeTables). */
  watch(probe: () => Promise<unknown>, events?: AvailabilityEvents): void;
  /**
   * A request's statement or connection failed with `e`: an unavailability error starts a probe
   * now (unless one runs), and a timeout (lock, statement, connect) opens the breaker at once.
   */
  reportFailure(e: unknown): void;
  /** Stops probing; the gate stays in its last state. */
  stop(): void;
}

export function createDatabaseAvailability(
  settings: AvailabilitySettings = defaultAvailabilitySettings,
): DatabaseAvailability {
  let probe: (() => Promise<unknown>) | null = null;
  let events: AvailabilityEvents = {};
  let lastFailure: unknown = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  // The probe reads through an ungated handle (gatedDialects' `ungated`), so the gate never has to
  // tell its work apart: no AsyncLocalStorage, whose promise hooks cost every promise of the process.
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    timeout: settings.probeTimeoutMs ?? false,
    resetTimeout: settings.probeIntervalMs,
    // Any failed probe opens: it is one cheap read, so a failure is not noise.
    errorThresholdPercentage: 0,
    volumeThreshold: 1,
  });
  const listeners = new Set<() => void>();
  breaker.on('failure', (e: unknown) => {
    lastFailure = e;
  });
  breaker.on('open', () => {
    const waiting = [...listeners];
    listeners.clear();
    for (const l of waiting) l();
    events.onUnavailable?.(lastFailure);
  });
  breaker.on('close', () => {
    events.onAvailable?.();
  });

  function reportFailure(e: unknown): void {
    if (e instanceof DatabaseUnavailableError || !isDatabaseUnavailable(e)) return;
    if (isDatabaseSlow(e) && breaker.closed) {
      lastFailure = e;
      breaker.open();
    }
    runProbe();
  }

  function runProbe(): void {
    if (running || !probe) return;
    running = breaker
      .fire(probe)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        running = null;
      });
  }

  return {
    isAvailable: () => breaker.closed,
    onceUnavailable(listener) {
      if (!breaker.closed) {
        listener();
        return () => undefined;
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retryAfterSec: () => randomInt(1, 4),
    watch(p, e = {}) {
      probe = p;
      events = e;
      timer ??= setInterval(runProbe, settings.probeIntervalMs).unref();
      runProbe();
    },
    reportFailure,
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

type Gate = Pick<DatabaseAvailability, 'isAvailable' | 'onceUnavailable'>;

/**
 * `inner` twice over ONE driver: `gated`, whose connection acquisition is refused
 * (DatabaseUnavailableError) while the database is unavailable, and `ungated` for the probe, which
 * must get through to find out it is back. One driver, so on PGlite's single connection the probe
 * still queues behind a running transaction instead of running inside it. The ungated handle
 * neither initializes nor destroys the driver: the gated one owns it.
 */
export function gatedDialects(inner: Dialect, availability: Gate): { gated: Dialect; ungated: Dialect } {
  let driver: Driver | undefined;
  const shared = () => (driver ??= inner.createDriver());
  const dialect = (createDriver: () => Driver): Dialect => ({
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver,
  });
  return {
    gated: dialect(() => new GatedDriver(shared(), availability, true)),
    ungated: dialect(() => new GatedDriver(shared(), null, false)),
  };
}

/** `inner` with its driver's connection acquisition refused (DatabaseUnavailableError) while unavailable. */
export function gatedDialect(inner: Dialect, availability: Gate): Dialect {
  return gatedDialects(inner, availability).gated;
}

class GatedDriver implements Driver {
  readonly savepoint?: Driver['savepoint'];
  readonly rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(
    private readonly inner: Driver,
    /** null: never refused (the probe's handle). */
    private readonly availability: Gate | null,
    /** Whether this handle initializes and destroys the shared driver. */
    private readonly owns: boolean,
  ) {
    // Kysely asks whether a driver has savepoints by looking for the methods: offer only what inner has.
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner);
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  }

  async init() {
    if (this.owns) await this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    const gate = this.availability;
    if (!gate) return this.inner.acquireConnection();
    if (!gate.isAvailable()) return Promise.reject(new DatabaseUnavailableError());
    // Waiting for a free pooled connection ends as soon as the database is found unavailable:
    // the requests queued behind connections stuck on a lock are answered then, not at the timeout.
    return new Promise((resolve, reject) => {
      let refused = false;
      const unsubscribe = gate.onceUnavailable(() => {
        refused = true;
        reject(new DatabaseUnavailableError());
      });
      this.inner.acquireConnection().then(
        (c) => {
          unsubscribe();
          if (!refused && gate.isAvailable()) return resolve(c);
          if (!refused) reject(new DatabaseUnavailableError());
          void Promise.resolve(this.inner.releaseConnection(c)).catch(() => undefined);
        },
        (e: unknown) => {
          unsubscribe();
          if (!refused) reject(e);
        },
      );
    });
  }

  beginTransaction(c: DatabaseConnection, s: TransactionSettings) {
    return this.inner.beginTransaction(c, s);
  }
  commitTransaction(c: DatabaseConnection) {
    return this.inner.commitTransaction(c);
  }
  rollbackTransaction(c: DatabaseConnection) {
    return this.inner.rollbackTransaction(c);
  }
  releaseConnection(c: DatabaseConnection) {
    return this.inner.releaseConnection(c);
  }
  async destroy() {
    if (this.owns) await this.inner.destroy();
  }
}
