/**
 * The review store on real PostgreSQL: the four-eyes rule holds in the database itself, and a due
 * publish attempted by several processes at once happens exactly once.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { newLiveCampaign } from '../../test/support/factories.ts';
import { openDatabase } from '../platform/db.ts';
import { TEST_DATABASE_URL } from '../../test/support/databases.ts';
import type { CampaignRules } from '../eligibility/rules.ts';
import { createCampaignRepository } from './campaign.repository.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

describe('campaign reviews (PostgreSQL)', () => {
  let tdb: TestDatabase | undefined;
  before(async () => {
    tdb = await postgresForTest(undefined as unknown as TestContext);
  });
  after(async () => {
    await tdb?.close();
  });

  it('refuses an approval by the author even written straight to the table', async () => {
    const db = tdb!.db;
    const live = await newLiveCampaign(db, NOW, { id: 'four-eyes' });
    const store = createCampaignRepository(db);
    assert.equal(await store.submitForReview({ ...live, version: 2 } as CampaignRules, 'alice', NOW), true);
    assert.equal(await store.approveReview('four-eyes', 2, 'alice', NOW), false);
    await assert.rejects(
      db
        .updateTable('campaign_reviews')
        .set({ state: 'approved', approver: 'alice', approved_at: new Date(NOW) })
        .where('campaign_id', '=', 'four-eyes')
        .execute(),
      /check constraint/,
    );
  });

  it('publishes a due version once when eight processes try at the same instant', async () => {
    const db = tdb!.db;
    const live = await newLiveCampaign(db, NOW, { id: 'due-once' });
    const store = createCampaignRepository(db);
    await store.submitForReview({ ...live, version: 2 } as CampaignRules, 'alice', NOW);
    await store.approveReview('due-once', 2, 'bob', NOW);
    await store.schedulePublish('due-once', 2, NOW + 1_000);
    assert.equal(await store.publishReview('due-once', 2, 'scheduler', NOW, true), 'not-due');
    // Separate pools: eight processes, each with its own connection.
    const handles = await Promise.all(
      Array.from({ length: 8 }, () =>
        openDatabase({ databaseUrl: TEST_DATABASE_URL, pgliteDir: null, schema: tdb!.schema!, poolSize: 1 }),
      ),
    );
    try {
      const outcomes = await Promise.all(
        handles.map((h) => createCampaignRepository(h.db).publishReview('due-once', 2, 'scheduler', NOW + 1_000, true)),
      );
      assert.deepEqual(outcomes.filter((o) => o === 'published').length, 1, outcomes.join(','));
      assert.ok(
        outcomes.every((o) => o === 'published' || o === 'wrong-state'),
        outcomes.join(','),
      );
    } finally {
      for (const h of handles) await h.close();
    }
    const row = await db
      .selectFrom('campaigns')
      .select('live_version')
      .where('id', '=', 'due-once')
      .executeTakeFirstOrThrow();
    assert.equal(row.live_version, 2);
  });
});
