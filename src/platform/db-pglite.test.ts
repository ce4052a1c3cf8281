/**
 * The embedded database (quick start) after a hard stop: PGlite has no crash recovery, and a data
 * directory whose WAL was lost made the server die with only `RuntimeError: Aborted()` (seen after a
 * kill -9 of the quick-start server during a burst of joins, 2026-12-01).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { EmbeddedDatabaseUnreadable, openDatabase } from './db.ts';

describe('embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'yeyak-pglite-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('says which directory it cannot open and how to go on, instead of an abort with no next step', async () => {
    const dir = join(root, 'pglite');
    const first = await openDatabase({ databaseUrl: null, pgliteDir: dir });
    await sql`CREATE TABLE t (x int)`.execute(first.db);
    await sql`INSERT INTO t VALUES (1)`.execute(first.db);
    await first.close();
    // What a hard stop while writing leaves: the WAL the data files depend on is gone.
    for (const f of readdirSync(join(dir, 'pg_wal'))) {
      const file = join(dir, 'pg_wal', f);
      if (statSync(file).isFile()) truncateSync(file, 0);
    }
    await assert.rejects(openDatabase({ databaseUrl: null, pgliteDir: dir }), (e: unknown) => {
      assert.ok(e instanceof EmbeddedDatabaseUnreadable, String(e));
      assert.equal(e.dir, dir);
      assert.match(e.message, /could not be opened \(Aborted\(\)/);
      assert.ok(e.message.includes(`mv ${dir} ${dir}.unreadable-`), e.message);
      assert.ok(e.message.includes(`rm -rf ${root} && npm start`), e.message);
      return true;
    });
    // Emscripten's abort marks the process as failed (exitCode 1); the server exits with 2 and its
    // message instead, and this test's process must not fail for an abort it caused on purpose.
    process.exitCode = 0;
    // Moved aside as the message says, a fresh one opens in its place.
    const fresh = await openDatabase({ databaseUrl: null, pgliteDir: join(root, 'pglite-fresh') });
    await fresh.close();
  });
});
