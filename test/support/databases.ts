/**
 * Test databases. Real Postgres: a fresh schema per call, dropped by `close()`. Under CI=true a
 * missing Postgres FAILS the test (it must not pass by skipping); elsewhere the test is skipped
 * with the reason. PGlite: a fresh in-memory database per call.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { dropSchema, migrate, openDatabase, type DatabaseHandle } from '../../src/platform/db.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const isCi = process.env.CI === 'true';

export interface TestDatabase extends DatabaseHandle {
  schema: string | null;
}

async function postgresReachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query('select 1');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A migrated Postgres schema of its own, or undefined when skipped (never under CI). */
export async function postgresForTest(t: TestContext | undefined, poolSize = 20): Promise<TestDatabase | undefined> {
  const problem = await postgresReachable();
  if (problem) {
    const message = `Postgres at ${TEST_DATABASE_URL} is not reachable: ${problem}`;
    if (isCi || !t) throw new Error(`${message} (CI=true: tests needing Postgres fail rather than skip)`);
    t.skip(message);
    return undefined;
  }
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const handle = await openDatabase({ databaseUrl: TEST_DATABASE_URL, pgliteDir: null, schema, poolSize });
  await migrate(handle);
  return {
    ...handle,
    schema,
    close: async () => {
      await handle.close();
      await dropSchema(TEST_DATABASE_URL, schema);
    },
  };
}

export async function pgliteForTest(): Promise<TestDatabase> {
  const handle = await openDatabase({ databaseUrl: null, pgliteDir: null });
  await migrate(handle);
  return { ...handle, schema: null };
}
