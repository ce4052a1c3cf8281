/**
 * The agent routes over the real app (PGlite, the composed services): who may use them (an agent
 * only: not a citizen, not an operator or approver; and an agent may not touch the rules or the
 * admission controls), the phone lane's quota as the operator sets it, and an agent's booking,
 * change and cancel through the booking service, each leaving its audit entries and an agent
 * record that `unaccountedBookings` accepts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../platform/clock.ts';
import { makeRrn } from '../people/rrn.ts';
import { identityHashOf } from '../identity/identity-hash.ts';
import { insertPeople } from '../people/people.repository.ts';
import { unaccountedBookings } from '../audit/audit.repository.ts';
import { pgliteForTest, type TestDatabase } from '../../test/support/databases.ts';
import { dateAfter, newFacility, newLiveCampaign, newSlotPair } from '../../test/support/factories.ts';
import { testApp, testConfig } from '../../test/support/services.ts';
import { verifyAs } from '../../test/support/queue.ts';
import { referenceOf } from '../waiting-room/queue-reference.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const CAMPAIGN = 'demo';
type App = Awaited<ReturnType<typeof testApp>>['app'];

const callers = [
  { rrn: makeRrn('1966-03-14', 'F', 8), name: '김통화', born: '1966-03-14' },
  { rrn: makeRrn('1970-11-02', 'M', 7), name: '이전화', born: '1970-11-02' },
];

async function login(app: App, username: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/api/operator/login', payload: { username, password } });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie, 'x-csrf-token': res.json().csrfToken as string };
}

describe('call-centre agent routes', () => {
  let tdb: TestDatabase;
  let ctx: Awaited<ReturnType<typeof testApp>>;
  const clock = fixedClock(NOW);
  const slots: number[] = [];

  before(async () => {
    tdb = await pgliteForTest();
    const key = testConfig().identityHmacKey;
    await insertPeople(
      tdb.db,
      callers.map((p) => ({
        identity_hash: identityHashOf(key, p.rrn.replace('-', '')),
        birth_date: p.born,
        name: p.name,
        phone: '010-1339-0000',
        region_code: 'KR-11',
      })),
    );
    await newLiveCampaign(tdb.db, NOW, { id: CAMPAIGN });
    const facility = await newFacility(tdb.db);
    for (const days of [3, 4])
      slots.push(
        (
          await newSlotPair(tdb.db, {
            campaignId: CAMPAIGN,
            facilityId: facility.id,
            date: dateAfter(NOW, days),
            capacity: 5,
          })
        ).dose1.id,
      );
    ctx = await testApp(tdb, clock, undefined, {
      OPERATOR_ACCOUNTS: 'op:operator:op-password-1,ap:approver:ap-password-1,ag:agent:ag-password-1',
    });
  });
  after(async () => {
    await ctx.app.close();
    await tdb.close();
  });

  const verifyCaller = (h: Record<string, string>, c: (typeof callers)[number]) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/agent/callers/verify',
      headers: h,
      payload: { providerId: 'kakao', rrn: c.rrn, name: c.name },
    });
  const book = (h: Record<string, string>, callerToken: string, slotId: number, key: string) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/agent/campaigns/${CAMPAIGN}/bookings`,
      headers: { ...h, 'x-caller-session': callerToken, 'idempotency-key': key },
      payload: { slotId },
    });
  const setShare = (h: Record<string, string>, sharePercent: number) =>
    ctx.app.inject({
      method: 'PUT',
      url: `/api/operator/campaigns/${CAMPAIGN}/agent-lane`,
      headers: h,
      payload: { sharePercent },
    });

  it('is closed to citizens, operators and approvers; an agent cannot change rules, publish or admission', async () => {
    const anon = await ctx.app.inject({ url: '/api/agent/bookings', headers: { 'x-caller-session': 'x' } });
    assert.equal(anon.json().code, 'operator-unauthenticated');

    const citizen = await verifyAs(ctx.app, callers[0]!.rrn, callers[0]!.name);
    const asCitizen = await ctx.app.inject({
      url: '/api/agent/bookings',
      headers: { ...citizen, 'x-caller-session': citizen.authorization.slice(7) },
    });
    assert.equal(asCitizen.statusCode, 401, 'a citizen session is not an agent');
    assert.equal(asCitizen.json().code, 'operator-unauthenticated');

    for (const [user, password] of [
      ['op', 'op-password-1'],
      ['ap', 'ap-password-1'],
    ] as const) {
      const h = await login(ctx.app, user, password);
      const verify = await verifyCaller(h, callers[0]!);
      assert.equal(verify.statusCode, 403, `${user} may not verify a caller`);
      assert.equal(verify.json().code, 'agent-required');
      const list = await ctx.app.inject({ url: '/api/agent/bookings', headers: { ...h, 'x-caller-session': 'x' } });
      assert.equal(list.json().code, 'agent-required');
    }

    const agent = await login(ctx.app, 'ag', 'ag-password-1');
    const me = await ctx.app.inject({ url: '/api/operator/me', headers: agent });
    assert.equal(me.json().role, 'agent');
    const live = await newLiveCampaign(tdb.db, NOW, { id: 'agent-may-not' });
    const refusals = await Promise.all([
      ctx.app.inject({
        method: 'POST',
        url: '/api/operator/campaigns',
        headers: agent,
        payload: { rules: { ...live, version: 2 } },
      }),
      ctx.app.inject({
        method: 'POST',
        url: '/api/operator/reviews/agent-may-not/2/publish',
        headers: agent,
        payload: {},
      }),
      ctx.app.inject({ method: 'POST', url: '/api/operator/reviews/agent-may-not/2/approve', headers: agent }),
      ctx.app.inject({
        method: 'POST',
        url: `/api/operator/campaigns/${CAMPAIGN}/admission`,
        headers: agent,
        payload: { action: 'pause' },
      }),
      setShare(agent, 50),
      ctx.app.inject({ url: '/api/operator/dashboard?campaignId=demo', headers: agent }),
    ]);
    assert.deepEqual(
      refusals.map((r) => [r.statusCode, r.json().code]),
      Array.from({ length: refusals.length }, () => [403, 'agent-not-staff']),
    );
    const versions = await tdb.db
      .selectFrom('campaign_versions')
      .select('version')
      .where('campaign_id', '=', 'agent-may-not')
      .execute();
    assert.deepEqual(
      versions.map((v) => v.version),
      [live.version],
      'nothing was stored',
    );
  });

  it("books for a verified caller through the phone lane, on the booking service's rules, and audits every step", async () => {
    const op = await login(ctx.app, 'op', 'op-password-1');
    const agent = await login(ctx.app, 'ag', 'ag-password-1');
    const verified = await verifyCaller(agent, callers[0]!);
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().person.maskedName, '김*화');
    const token = verified.json().callerToken as string;

    // No quota yet: the lane is closed and nothing is booked.
    const closed = await book(agent, token, slots[0]!, 'agent-key-closed-1');
    assert.equal(closed.json().code, 'lane-closed');

    assert.equal((await setShare(op, 5)).statusCode, 200);
    const placed = await book(agent, token, slots[0]!, 'agent-key-00000001');
    assert.equal(placed.statusCode, 201, placed.body);
    const bookingNumber = placed.json().bookingNumber as string;
    const row = await tdb.db
      .selectFrom('bookings')
      .select(['admission_id', 'dose1_slot_id'])
      .where('booking_number', '=', bookingNumber)
      .executeTakeFirstOrThrow();
    assert.match(row.admission_id ?? '', /^agent-/);
    const laneRow = await tdb.db
      .selectFrom('agent_admissions')
      .selectAll()
      .where('admission_id', '=', row.admission_id!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([laneRow.agent, laneRow.verification_provider], ['ag', 'kakao']);

    // Same rules as a citizen: a second booking for the same caller is refused by the booking service.
    const twice = await book(agent, token, slots[1]!, 'agent-key-00000002');
    assert.equal(twice.json().code, 'already-booked');

    const changed = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/agent/bookings/${bookingNumber}`,
      headers: { ...agent, 'x-caller-session': token },
      payload: { slotId: slots[1] },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const cancelled = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/agent/bookings/${bookingNumber}`,
      headers: { ...agent, 'x-caller-session': token },
    });
    assert.equal(cancelled.json().status, 'cancelled');

    const entries = await tdb.db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor', 'in', ['ag', 'op'])
      .where('action', 'like', 'agent-%')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      entries.map((e) => [e.actor_kind, e.actor, e.action]),
      [
        ['agent', 'ag', 'agent-verify'],
        ['operator', 'op', 'agent-lane-quota'],
        ['agent', 'ag', 'agent-admission'],
        ['agent', 'ag', 'agent-booking'],
        ['agent', 'ag', 'agent-change'],
        ['agent', 'ag', 'agent-cancel'],
      ],
    );
    const byAction = new Map(entries.map((e) => [e.action, e]));
    assert.deepEqual(byAction.get('agent-lane-quota')?.after, { sharePercent: 5 });
    assert.equal((byAction.get('agent-booking')?.detail as { admissionId: string }).admissionId, row.admission_id);
    assert.equal((byAction.get('agent-change')?.before as { dose1: { slotId: number } }).dose1.slotId, slots[0]);
    assert.equal((byAction.get('agent-change')?.after as { dose1: { slotId: number } }).dose1.slotId, slots[1]);
    assert.equal((byAction.get('agent-cancel')?.after as { status: string }).status, 'cancelled');
    assert.ok(!JSON.stringify(entries).includes(callers[0]!.rrn.slice(0, 6) + callers[0]!.rrn.slice(7)), 'no RRN');

    const trace = await ctx.app.inject({ url: `/api/operator/bookings/${bookingNumber}/trace`, headers: op });
    assert.equal(trace.json().agentAdmission.agent, 'ag');
    assert.equal(trace.json().agentAdmission.lane, 'agent');
    assert.equal(trace.json().agentAdmission.matchesRequester, true);
  });

  it('refuses a second caller while the lane is full, says when to retry, and pauses with the campaign', async () => {
    const op = await login(ctx.app, 'op', 'op-password-1');
    const agent = await login(ctx.app, 'ag', 'ag-password-1');
    // 1 % of 1 admission/s: one caller per minute.
    const pin = await ctx.app.inject({
      method: 'POST',
      url: `/api/operator/campaigns/${CAMPAIGN}/admission`,
      headers: op,
      payload: { action: 'pin', ratePerSec: 1 },
    });
    assert.equal(pin.statusCode, 200, pin.body);
    assert.equal((await setShare(op, 1)).json().allowance.perWindow, 1);
    clock.advance(61_000);
    const token = (await verifyCaller(agent, callers[1]!)).json().callerToken as string;
    const first = await book(agent, token, slots[0]!, 'agent-key-lane-0001');
    assert.equal(first.statusCode, 201, first.body);

    const other = (await verifyCaller(agent, callers[0]!)).json().callerToken as string;
    const full = await book(agent, other, slots[0]!, 'agent-key-lane-0002');
    assert.equal(full.statusCode, 429);
    assert.equal(full.json().code, 'lane-full');
    assert.equal(full.headers['retry-after'], '60');

    clock.advance(60_001);
    await ctx.app.inject({
      method: 'POST',
      url: `/api/operator/campaigns/${CAMPAIGN}/admission`,
      headers: op,
      payload: { action: 'pause' },
    });
    const paused = await book(agent, other, slots[0]!, 'agent-key-lane-0003');
    assert.equal(paused.json().code, 'lane-paused');
    await ctx.app.inject({
      method: 'POST',
      url: `/api/operator/campaigns/${CAMPAIGN}/admission`,
      headers: op,
      payload: { action: 'resume' },
    });
    const later = await book(agent, other, slots[0]!, 'agent-key-lane-0004');
    assert.equal(later.statusCode, 201, later.body);
    assert.deepEqual(await unaccountedBookings(tdb.db, CAMPAIGN), [], 'every agent booking has its agent record');
  });

  it('looks up the queue reference a citizen reads out, as the operator console does, and audits every lookup', async () => {
    const key = testConfig().identityHmacKey;
    const waiter = { rrn: makeRrn('1968-05-05', 'F', 3), name: '박대기', born: '1968-05-05' };
    await insertPeople(tdb.db, [
      {
        identity_hash: identityHashOf(key, waiter.rrn.replace('-', '')),
        birth_date: waiter.born,
        name: waiter.name,
        phone: '010-1339-0001',
        region_code: 'KR-11',
      },
    ]);
    const joined = await ctx.app.inject({
      method: 'POST',
      url: `/api/campaigns/${CAMPAIGN}/queue`,
      headers: await verifyAs(ctx.app, waiter.rrn, waiter.name),
      payload: { deviceId: 'device-reference-lookup-01' },
    });
    assert.equal(joined.statusCode, 200, joined.body);
    const reference = joined.json().status.reference as string;
    assert.match(reference, /^[0-9A-Z]{4,}-.$/, 'the waiting page shows a reference');
    await ctx.services.waitingRoom.service.refreshSnapshot(CAMPAIGN);

    const agent = await login(ctx.app, 'ag', 'ag-password-1');
    const op = await login(ctx.app, 'op', 'op-password-1');
    const lookUp = (h: Record<string, string>, ref: string, who: 'agent' | 'operator' = 'agent') =>
      ctx.app.inject({
        url: `/api/${who}/campaigns/${CAMPAIGN}/queue/references/${encodeURIComponent(ref)}`,
        headers: h,
      });
    // Read out over the phone: lower case, without the dash.
    const found = await lookUp(agent, reference.toLowerCase().replace('-', ''));
    assert.equal(found.statusCode, 200, found.body);
    assert.equal(found.json().reference, reference);
    assert.equal(found.json().state, 'waiting');
    assert.ok(found.json().position >= 1);
    assert.equal(found.json().ahead, found.json().position - 1);
    const asOperator = await lookUp(op, reference, 'operator');
    assert.deepEqual(found.json(), asOperator.json(), "the operator console's answer, the same service method");

    const bad = await lookUp(agent, 'not-a-ref!');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'queue-reference-invalid');
    const room = ctx.services.waitingRoom.service.roomStatus(CAMPAIGN);
    assert.ok(room.ok);
    const partitions = room.value.snapshot?.partitions.length ?? 0;
    const notYet = referenceOf({ partition: 0, seq: 1_000_000 }, partitions);
    const unknown = await lookUp(agent, notYet);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'queue-reference-unknown');
    const otherCampaign = await ctx.app.inject({
      url: `/api/agent/campaigns/no-such-campaign/queue/references/${reference}`,
      headers: agent,
    });
    assert.equal(otherCampaign.json().code, 'campaign-not-found');
    const byOperator = await lookUp(op, reference);
    assert.equal(byOperator.statusCode, 403, 'the agent route is for agents');
    assert.equal(byOperator.json().code, 'agent-required');

    const trail = await ctx.app.inject({ url: '/api/agent/audit', headers: agent });
    const lookups = (
      trail.json().entries as { action: string; actor: string; target: string | null; detail: unknown }[]
    )
      .filter((e) => e.action === 'agent-reference-lookup')
      .reverse();
    assert.deepEqual(
      lookups.map((e) => [e.actor, e.target, e.detail]),
      [
        ['ag', `queue-ref:${reference}`, { outcome: 'waiting', partition: found.json().partition }],
        ['ag', null, { outcome: 'bad-reference' }],
        ['ag', null, { outcome: 'not-issued' }],
        ['ag', null, { outcome: 'unknown-campaign' }],
      ],
    );
    assert.ok(!trail.body.includes(waiter.name), 'no name in the trail');
  });
});
