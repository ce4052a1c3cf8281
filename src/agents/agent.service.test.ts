/**
 * The agent service on the unit tier: the real booking service on its in-memory store, a fixed
 * clock, a simulated identity provider, and an in-memory lane (the quota row and admissions as
 * the Kysely repository keeps them). The same flows the integration test runs over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { err, ok } from '../platform/result.ts';
import { createTokenSigner } from '../platform/signing.ts';
import { checkEligibility } from '../eligibility/eligibility.ts';
import { demoCampaign } from '../eligibility/seed-campaigns.ts';
import { createIdentityService, type SessionClaims } from '../identity/identity.service.ts';
import { createSimulatedProvider } from '../identity/identity-provider.ts';
import type { AuditEntryInput } from '../audit/audit.ts';
import { bookingUnit, UNIT_NOW } from '../../test/support/booking-unit.ts';
import { createAgentService, type AgentAdmission, type AgentLaneStore, type StoredLaneQuota } from './agent.service.ts';

const HMAC_KEY = 'unit-identity-hmac-key-0123456789abcdef';

function memoryLane(isUsed: (admissionId: string) => boolean): AgentLaneStore {
  const quotas = new Map<string, StoredLaneQuota>();
  const admissions: AgentAdmission[] = [];
  return {
    quotaOf: async (id) => quotas.get(id) ?? null,
    setQuota: async (id, q, by, atMs) => void quotas.set(id, { ...q, setBy: by, setAtMs: atMs }),
    openAdmissionOf: async (id, h, nowMs) =>
      admissions.find(
        (a) => a.campaignId === id && a.identityHash === h && a.expiresAtMs > nowMs && !isUsed(a.admissionId),
      ),
    countSince: async (id, since) => admissions.filter((a) => a.campaignId === id && a.admittedAtMs > since).length,
    admittedSince: async (id, since) => admissions.filter((a) => a.campaignId === id && a.admittedAtMs > since),
    async admitIfAllowed(a, windowMs, decide) {
      const inWindow = admissions.filter(
        (x) => x.campaignId === a.campaignId && x.admittedAtMs > a.admittedAtMs - windowMs,
      );
      const d = decide(inWindow.length);
      if (!d.ok) {
        const mustLeave = Number(d.detail?.mustLeave ?? 0);
        return mustLeave > 0 ? err(d.reason, { ...d.detail, leavesAtMs: inWindow[mustLeave - 1]!.admittedAtMs }) : d;
      }
      admissions.push(a);
      return ok(a);
    },
  };
}

function agentUnit() {
  const u = bookingUnit();
  const people = () => [...u.stores.snapshot().people.values()];
  const identity = createIdentityService({
    clock: u.clock,
    hmacKey: HMAC_KEY,
    sessionTtlMs: 600_000,
    sessions: createTokenSigner<SessionClaims>('unit-signing-secret-0123456789abcdefghij', 'identity-session', u.clock),
    findPerson: async (h) => people().find((p) => p.identity_hash === h),
    providers: [
      createSimulatedProvider({
        id: 'kakao',
        name: { ko: '카카오', en: 'Kakao' },
        latencyMs: 0,
        failureRate: 0,
        nameOf: async (h) => people().find((p) => p.identity_hash === h)?.name,
      }),
    ],
  });
  const rules = demoCampaign(UNIT_NOW, { opensInMs: -3_600_000 });
  const room = { opensAtMs: UNIT_NOW - 3_600_000, isPaused: false, ratePerSec: 1 };
  const noted: number[] = [];
  const entries: AuditEntryInput[] = [];
  let ids = 0;
  const agents = createAgentService({
    clock: u.clock,
    identity,
    booking: u.service,
    availability: {
      eligibilityOf: async (personId, campaignId) => {
        const person = people().find((p) => p.id === personId);
        if (campaignId !== 'demo' || !person) return err('campaign-not-found');
        const active = [...u.stores.snapshot().bookings.values()].some(
          (b) => b.person_id === personId && b.status === 'active',
        );
        return ok(checkEligibility({ birthDate: person.birth_date, hasActiveBooking: active }, rules, u.clock.nowMs()));
      },
      openSlotsFor: async () => err('not-in-cohort'),
      changeOptionsFor: async () => err('booking-not-found'),
    },
    lane: memoryLane((id) => [...u.stores.snapshot().bookings.values()].some((b) => b.admission_id === id)),
    room: {
      stateOf: (id) => (id === 'demo' ? room : null),
      noteLaneAdmissions: (_id, n) => void noted.push(n),
      // The waiting room's own lookup is tested in waiting-room.service.test.ts; here, two places.
      lookupReference: (id, ref) =>
        id !== 'demo'
          ? err('unknown-campaign')
          : !/^[0-9A-Z]{4}-[0-9A-Z]$/i.test(ref)
            ? err('bad-reference')
            : ref.toUpperCase() === '0001-A'
              ? ok({
                  state: 'waiting',
                  reference: '0001-A',
                  partition: 0,
                  position: 12,
                  ahead: 11,
                  eta: { expectedMs: 60_000, lowMs: 30_000, highMs: 90_000, ratePerSec: 1, isFromPlan: false },
                  isPaused: false,
                })
              : err('not-issued'),
    },
    audit: { record: async (e) => (entries.push(e), { ...e }) as never },
    newAdmissionId: () => `u${++ids}`,
    admissionTtlMs: 600_000,
  });
  return { ...u, agents, entries, room };
}

describe('agent service', () => {
  it('verifies a caller, books through the lane on the booking rules, changes and cancels, auditing each step', async () => {
    const a = agentUnit();
    const caller = a.person('1966-03-14', '김통화');
    const [s1, s2] = [a.slotPair({ day: 3 }).dose1, a.slotPair({ day: 4 }).dose1];
    const v = await a.agents.verifyCaller('ag', { providerId: 'kakao', rrn: caller.rrn, name: caller.name });
    assert.ok(v.ok);
    const token = v.value.callerToken;
    const place = (slotId: number, key: string) =>
      a.agents.placeBooking('ag', token, { campaignId: 'demo', slotId, idempotencyKey: key });

    assert.deepEqual(await place(s1.id, 'k-closed-0001'), { ok: false, reason: 'lane-closed' });
    const set = await a.agents.setLaneQuota('op', 'demo', 10);
    assert.equal(set.ok && set.value.allowance.perWindow, 6);
    const booked = await place(s1.id, 'k-booked-0001');
    assert.ok(booked.ok);
    const row = [...a.stores.snapshot().bookings.values()].find((b) => b.booking_number === booked.value.bookingNumber);
    assert.match(row?.admission_id ?? '', /^agent-u\d+$/, 'the booking names its lane admission');
    const twice = await place(s2.id, 'k-twice-0001');
    assert.equal(!twice.ok && twice.reason, 'already-booked');
    const retry = await place(s1.id, 'k-booked-0001');
    assert.equal(retry.ok && retry.value.bookingNumber, booked.value.bookingNumber, 'a retry gets its booking');
    const moved = await a.agents.changeBooking('ag', token, booked.value.bookingNumber, s2.id);
    assert.equal(moved.ok && moved.value.dose1.slotId, s2.id);
    const cancelled = await a.agents.cancelBooking('ag', token, booked.value.bookingNumber);
    assert.equal(cancelled.ok && cancelled.value.status, 'cancelled');

    assert.deepEqual(
      a.entries.map((e) => [e.actor.kind, e.actor.name, e.action]),
      [
        ['agent', 'ag', 'agent-verify'],
        ['operator', 'op', 'agent-lane-quota'],
        ['agent', 'ag', 'agent-admission'],
        ['agent', 'ag', 'agent-booking'],
        ['agent', 'ag', 'agent-change'],
        ['agent', 'ag', 'agent-cancel'],
      ],
    );
    assert.ok(!JSON.stringify(a.entries).includes(caller.rrn.replace('-', '')), 'no RRN in the trail');
    assert.ok(!JSON.stringify(a.entries).includes(caller.name), 'no name in the trail');
  });

  it('looks up a queue reference for a caller, auditing every lookup with its outcome and nothing about who holds it', async () => {
    const a = agentUnit();
    const found = await a.agents.lookupReference('ag', 'demo', '0001-a');
    assert.equal(found.ok && found.value.state === 'waiting' && found.value.position, 12);
    assert.deepEqual(await a.agents.lookupReference('ag', 'demo', '9999-Z'), { ok: false, reason: 'not-issued' });
    assert.deepEqual(await a.agents.lookupReference('ag', 'demo', 'not a ref\u0000'), {
      ok: false,
      reason: 'bad-reference',
    });
    assert.deepEqual(
      a.entries.map((e) => [e.actor.kind, e.actor.name, e.action, e.campaignId, e.target, e.detail]),
      [
        ['agent', 'ag', 'agent-reference-lookup', 'demo', 'queue-ref:0001-A', { outcome: 'waiting', partition: 0 }],
        ['agent', 'ag', 'agent-reference-lookup', 'demo', null, { outcome: 'not-issued' }],
        ['agent', 'ag', 'agent-reference-lookup', 'demo', null, { outcome: 'bad-reference' }],
      ],
    );
  });

  it('refuses a caller without a verification, and a second caller while the lane is full, saying when to retry', async () => {
    const a = agentUnit();
    const slot = a.slotPair({ day: 3, capacity: 5 }).dose1;
    assert.deepEqual(
      await a.agents.placeBooking('ag', 'not-a-session', {
        campaignId: 'demo',
        slotId: slot.id,
        idempotencyKey: 'k-none-0001',
      }),
      { ok: false, reason: 'caller-unverified' },
    );
    await a.agents.setLaneQuota('op', 'demo', 1); // 1 % of 1/s: one caller a minute
    const tokens = [];
    for (const name of ['가나다', '라마바']) {
      const p = a.person('1970-01-02', name);
      const v = await a.agents.verifyCaller('ag', { providerId: 'kakao', rrn: p.rrn, name });
      assert.ok(v.ok);
      tokens.push(v.value.callerToken);
    }
    const first = await a.agents.placeBooking('ag', tokens[0], {
      campaignId: 'demo',
      slotId: slot.id,
      idempotencyKey: 'k-first-001',
    });
    assert.ok(first.ok);
    a.clock.advance(20_000);
    const full = await a.agents.placeBooking('ag', tokens[1], {
      campaignId: 'demo',
      slotId: slot.id,
      idempotencyKey: 'k-full-0001',
    });
    assert.equal(!full.ok && full.reason, 'lane-full');
    assert.equal(!full.ok && full.detail?.retryAfterSec, 40);
    a.room.isPaused = true;
    a.clock.advance(41_000);
    const paused = await a.agents.placeBooking('ag', tokens[1], {
      campaignId: 'demo',
      slotId: slot.id,
      idempotencyKey: 'k-paus-0001',
    });
    assert.equal(!paused.ok && paused.reason, 'lane-paused');
    a.room.isPaused = false;
    const later = await a.agents.placeBooking('ag', tokens[1], {
      campaignId: 'demo',
      slotId: slot.id,
      idempotencyKey: 'k-late-0001',
    });
    assert.ok(later.ok);
  });
});
