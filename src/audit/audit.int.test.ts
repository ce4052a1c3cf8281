/**
 * The audit trail on real PostgreSQL: entries cannot be changed or removed (the database refuses),
 * a booking traces back to the admission the waiting room recorded, and `npm run audit` flags an
 * active booking inserted without an admission — and only that one.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { TEST_DATABASE_URL, postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { dateAfter, newFacility, newLiveCampaign, newPeople, newSlotPair } from '../../test/support/factories.ts';
import { createAdmissionLedgerRepository } from '../waiting-room/admission-ledger.repository.ts';
import { createAuditRepository } from './audit.repository.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

describe('audit trail (PostgreSQL)', () => {
  let tdb: TestDatabase | undefined;
  const bookingNumbers = {
    admitted: 'AAAA-BBBB-CCC2',
    backDoor: 'DDDD-EEEE-FFF3',
    otherIdentity: 'GGGG-HHHH-JJJ4',
    agent: 'KKKK-MMMM-NNN5',
  };
  let campaignId = '';

  before(async () => {
    tdb = await postgresForTest(undefined as unknown as TestContext);
  });
  after(async () => {
    await tdb?.close();
  });

  /** One active booking per person, each with `admission_id` as given. */
  async function insertBookings(
    db: TestDatabase,
    rows: { number: string; personId: number; admissionId: string | null }[],
  ) {
    const facility = await newFacility(db.db);
    for (const [i, r] of rows.entries()) {
      const pair = await newSlotPair(db.db, {
        campaignId,
        facilityId: facility.id,
        date: dateAfter(NOW, 2 + i),
        capacity: 5,
      });
      await db.db
        .insertInto('bookings')
        .values({
          booking_number: r.number,
          campaign_id: campaignId,
          campaign_version: 1,
          person_id: r.personId,
          requested_by_id: r.personId,
          status: 'active',
          facility_id: facility.id,
          vaccine_code: 'pfizer',
          dose1_slot_id: pair.dose1.id,
          dose1_date: pair.dose1.date,
          dose2_slot_id: pair.dose2.id,
          dose2_date: pair.dose2.date,
          idempotency_key: `k-${r.number}`,
          admission_id: r.admissionId,
          created_at: new Date(NOW),
          updated_at: new Date(NOW),
        })
        .execute();
    }
  }

  it('traces a booking to its recorded admission and flags, in npm run audit, the one inserted without an admission', async () => {
    const db = tdb!;
    campaignId = (await newLiveCampaign(db.db, NOW)).id;
    const [admitted, backDoor, other, byAgent] = await newPeople(db.db, 4);
    const ledger = createAdmissionLedgerRepository(db.db);
    const admission = (id: string, identityHash: string) => ({
      admissionId: id,
      campaignId,
      identityHash,
      deviceTag: 'dev-tag-0123456',
      queueSeq: 42,
      isPreRoom: false,
      ticketIssuedAtMs: NOW - 600_000,
      admittedAtMs: NOW - 60_000,
      expiresAtMs: NOW + 540_000,
      verification: { providerId: 'pass', verifiedAtMs: NOW - 700_000 },
    });
    await ledger.recordAdmission(admission('adm-good', admitted!.identity_hash));
    await ledger.recordAdmission(admission('adm-good', 'recorded-twice-keeps-the-first'));
    await ledger.recordAdmission(admission('adm-someone-else', backDoor!.identity_hash));
    await insertBookings(db, [
      { number: bookingNumbers.admitted, personId: admitted!.id, admissionId: 'adm-good' },
      { number: bookingNumbers.backDoor, personId: backDoor!.id, admissionId: null },
      { number: bookingNumbers.otherIdentity, personId: other!.id, admissionId: 'adm-someone-else' },
      { number: bookingNumbers.agent, personId: byAgent!.id, admissionId: 'agent-adm-1' },
    ]);
    await db.db
      .insertInto('agent_admissions')
      .values({
        admission_id: 'agent-adm-1',
        campaign_id: campaignId,
        agent: 'agent-1339-07',
        identity_hash: byAgent!.identity_hash,
        verification_provider: 'kakao',
        verified_at: new Date(NOW - 120_000),
        admitted_at: new Date(NOW - 60_000),
        expires_at: new Date(NOW + 540_000),
      })
      .execute();
    const audit = createAuditRepository(db.db);
    await audit.append(
      {
        actor: { kind: 'agent', name: 'agent-1339-07' },
        action: 'agent-booking',
        campaignId,
        target: bookingNumbers.agent,
        after: { bookingNumber: bookingNumbers.agent },
      },
      NOW,
    );

    const trace = await audit.traceBooking(bookingNumbers.admitted);
    assert.deepEqual(trace?.admission, {
      queueSeq: 42,
      preRoom: false,
      ticketIssuedAtMs: NOW - 600_000,
      admittedAtMs: NOW - 60_000,
      expiresAtMs: NOW + 540_000,
      deviceTag: 'dev-tag-0123456',
      verificationProvider: 'pass',
      verifiedAtMs: NOW - 700_000,
      matchesRequester: true,
    });
    assert.equal((await audit.traceBooking(bookingNumbers.backDoor))?.admission, null);
    const agentTrace = await audit.traceBooking(bookingNumbers.agent);
    assert.equal(agentTrace?.entries[0]?.actorKind, 'agent');
    assert.equal(agentTrace?.admission, null);
    assert.deepEqual(agentTrace?.agentAdmission, {
      lane: 'agent',
      agent: 'agent-1339-07',
      admittedAtMs: NOW - 60_000,
      expiresAtMs: NOW + 540_000,
      verificationProvider: 'kakao',
      verifiedAtMs: NOW - 120_000,
      matchesRequester: true,
    });

    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${db.schema}`);
    const run = spawnSync('npm', ['run', '--silent', 'audit', '--', '--campaign', campaignId], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    assert.equal(run.status, 1, `exit 1 when a booking is unaccounted for\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, new RegExp(`4 active bookings checked, 2 without an admission or agent record`));
    assert.match(run.stdout, new RegExp(`${bookingNumbers.backDoor} .* no-admission-id`));
    assert.match(run.stdout, new RegExp(`${bookingNumbers.otherIdentity} .* admission-of-another-identity`));
    assert.doesNotMatch(run.stdout, new RegExp(`${bookingNumbers.admitted}|${bookingNumbers.agent}`));
  });

  it('refuses to change or remove an audit entry, in the database itself', async () => {
    const db = tdb!;
    const audit = createAuditRepository(db.db);
    const entry = await audit.append(
      {
        actor: { kind: 'operator', name: 'op' },
        action: 'admission-pause',
        campaignId: 'c',
        before: { paused: false },
        after: { paused: true },
      },
      NOW,
    );
    await assert.rejects(
      db.db.updateTable('audit_log').set({ actor: 'someone-else' }).where('id', '=', entry.id).execute(),
      /append-only/,
    );
    await assert.rejects(db.db.deleteFrom('audit_log').where('id', '=', entry.id).execute(), /append-only/);
    await assert.rejects(sql`TRUNCATE audit_log`.execute(db.db), /append-only/);
    const [kept] = await audit.list({ campaignId: 'c' });
    assert.deepEqual([kept?.actor, kept?.after], ['op', { paused: true }]);
  });
});
