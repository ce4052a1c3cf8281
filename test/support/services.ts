/** Builds the real services (as production composes them) over a test database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { composeApp, composeServices } from '../../src/app/compose.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { DatabaseHandle } from '../../src/platform/db.ts';
import type { MessageChannel } from '../../src/booking/outbox.sender.ts';

/** One data directory per test process (outbox file, nothing secret), removed when the process exits. */
let dataDir: string | undefined;
function testDataDir(): string {
  if (!dataDir) {
    const dir = mkdtempSync(join(tmpdir(), 'yeyak-test-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    dataDir = dir;
  }
  return dataDir;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: testDataDir(),
    IDENTITY_HMAC_KEY: 'test-identity-hmac-key-0123456789abcdef',
    SIGNING_SECRET: 'test-signing-secret-0123456789abcdefghij',
    IDENTITY_LATENCY_MS: '0',
    LOG_LEVEL: 'silent',
    // In-process PGlite blocks the event loop in bursts during tests; shedding has a test of its own.
    JOIN_SHED_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
}

/** A channel that keeps what it was given; `failNextFor(b, n)` makes the next n sends for booking b throw. */
export function capturingChannel() {
  const sent: { id: number; kind: string; to: string; bookingNumber: string }[] = [];
  const failures = new Map<string, number>();
  const channel: MessageChannel & { sent: typeof sent; failNextFor(bookingNumber: string, n: number): void } = {
    sent,
    failNextFor(bookingNumber, n) {
      failures.set(bookingNumber, n);
    },
    async send(m) {
      const bookingNumber = m.payload.bookingNumber ?? '';
      const left = failures.get(bookingNumber) ?? 0;
      if (left > 0) {
        failures.set(bookingNumber, left - 1);
        throw new Error('gateway timeout (simulated)');
      }
      sent.push({ id: m.id, kind: m.kind, to: m.payload.to, bookingNumber });
    },
  };
  return channel;
}

export function testServices(
  database: DatabaseHandle,
  clock: Clock,
  channel: MessageChannel = capturingChannel(),
  env: Record<string, string> = {},
) {
  return composeServices({ config: testConfig(env), clock, logger: pino({ level: 'silent' }), database, channel });
}

export function testApp(
  database: DatabaseHandle,
  clock: Clock,
  channel: MessageChannel = capturingChannel(),
  env: Record<string, string> = {},
) {
  return composeApp({ config: testConfig(env), clock, logger: pino({ level: 'silent' }), database, channel });
}
