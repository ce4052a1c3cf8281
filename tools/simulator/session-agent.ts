/**
 * An admitted person's booking session, through the real services exactly as the HTTP routes call
 * them: every step first passes the admission gate (`verifyAdmission`, one Redis read), then the
 * eligibility check, the slot search (own district, then province, then anywhere) and the booking
 * (`placeBooking` with the admission id, single-use in the database), then `bookingPlaced` ends the
 * admission. Wall-clock latency of each step feeds the booking-path monitor the admission
 * controller reads, as the HTTP hook does in production.
 *
 * Children booking for a parent skip the eligibility page (it is about the requester) and search
 * and book for the parent: `forPerson` carries the parent's RRN and name, which the real proxy
 * resolution hashes and checks against the registry.
 */
import type { PathRequest, PathValue } from './booking-path.ts';
import { Kind, Outcome, State } from './crowd.ts';
import { logNormal } from './distributions.ts';
import { Ev, now, schedule, start, type Sim } from './sim.ts';

const RETRY_THINK_MS = 3_000;

export function startSession(sim: Sim, i: number): void {
  const first = sim.crowd.kind[i] === Kind.proxy ? Ev.search : Ev.eligibility;
  schedule(sim, now(sim) + thinkMs(sim, i, first === Ev.search ? 'search' : 'eligibility'), i, first);
}

function thinkMs(sim: Sim, i: number, step: 'eligibility' | 'search' | 'book'): number {
  const spec = sim.crowd.isBot(i) ? sim.scenario.bots.thinkSeconds : sim.scenario.session.thinkSeconds[step];
  return logNormal(spec, sim.rng) * 1000;
}

function finish(sim: Sim, i: number, outcome: number, reason?: string): void {
  const c = sim.crowd;
  c.state[i] = outcome === Outcome.booked ? State.booked : State.done;
  c.outcome[i] = outcome;
  c.admission.delete(i);
  c.offered.delete(i);
  c.alternative.delete(i);
  if (reason) sim.rec.fail(reason);
}

/**
 * One request on the booking path (the gate, then one service call), wherever it runs. Returns
 * null when the gate refused (the session is over). A 500 stops the run: it is never counted away.
 */
async function request(sim: Sim, i: number, req: PathRequest): Promise<PathValue | null> {
  const c = sim.crowd;
  const adm = c.admission.get(i);
  if (!adm) return null;
  const reply = await sim.bookingPath.call(
    now(sim),
    { token: adm.token, identityHash: c.identityHash[i]!, deviceId: c.deviceOf(i) },
    req,
  );
  sim.services.monitor.recordRequest(reply.ms, reply.status);
  // The admission controller's signal, as the booking routes' onResponse hook gives it: every
  // request on the booking path here is admitted work (4xx are left out by the monitor itself).
  // Without it the controller saw no signal and held its initial rate all night.
  sim.services.monitor.recordAdmitted(c.identityHash[i]!, reply.ms, reply.status);
  sim.rec.latency('bookingPath', now(sim), reply.ms);
  if (reply.status === 500) throw new Error(`booking path failed: ${reply.error}`);
  if (reply.status === 403) {
    finish(sim, i, Outcome.admissionEnded, `admission-${reply.reason}`);
    return null;
  }
  return reply.value!;
}

const ELIGIBILITY_STATUSES = new Set(['eligible', 'not-yet', 'window-closed', 'already-booked', 'not-in-cohort']);

export function onEligibility(sim: Sim, i: number): void {
  if (sim.crowd.state[i] !== State.admitted) return;
  start(sim, async () => {
    const v = await request(sim, i, { kind: 'eligibility', personId: sim.crowd.personId[i]! });
    if (v?.kind !== 'eligibility') return;
    if (!ELIGIBILITY_STATUSES.has(v.status)) finish(sim, i, Outcome.error, `eligibility-${v.status}`);
    else if (v.status === 'eligible') schedule(sim, now(sim) + thinkMs(sim, i, 'search'), i, Ev.search);
    else if (v.status === 'already-booked') finish(sim, i, Outcome.alreadyBooked, 'eligibility-already-booked');
    else finish(sim, i, Outcome.notEligible, `eligibility-${v.status}`);
  });
}

export function onSearch(sim: Sim, i: number): void {
  if (sim.crowd.state[i] !== State.admitted) return;
  start(sim, async () => {
    const c = sim.crowd;
    const personId = c.personId[c.target[i]!]!;
    const limit = sim.scenario.session.slotChoices;
    let offered: number[] = [];
    for (const where of [
      { regionCode: c.regionCode[i], districtCode: c.districtCode[i] },
      { regionCode: c.regionCode[i] },
      {},
    ]) {
      const v = await request(sim, i, { kind: 'search', personId, filters: { ...where, limit } });
      if (v?.kind !== 'search') return;
      if (v.slotIds === null) {
        finish(sim, i, Outcome.notEligible, `search-${v.reason}`);
        return;
      }
      offered = v.slotIds;
      if (offered.length > 0) break;
    }
    if (offered.length === 0) {
      finish(sim, i, Outcome.noSlot, 'search-no-slots-left');
      return;
    }
    c.offered.set(i, offered);
    schedule(sim, now(sim) + thinkMs(sim, i, 'book'), i, Ev.book);
  });
}

export function onBook(sim: Sim, i: number): void {
  const c = sim.crowd;
  if (c.state[i] !== State.admitted) return;
  const offered = c.offered.get(i) ?? [];
  const alternative = c.alternative.get(i);
  c.alternative.delete(i);
  // Scripts take the first (earliest) slot shown; people pick among what they see. After a slot-full
  // refusal both take its first alternative with one tap: that date or, if it is gone too, the next
  // free one at that facility (the earliest-seat booking).
  const slotId = c.isBot(i) ? offered[0] : offered[sim.rng.nextInt(Math.max(1, offered.length))];
  const seat = alternative
    ? { earliestAt: { facilityId: alternative.facilityId, fromDate: alternative.date } }
    : { slotId };
  if (!alternative && slotId === undefined) {
    finish(sim, i, Outcome.noSlot, 'book-nothing-offered');
    return;
  }
  c.attempts[i] = c.attempts[i]! + 1;
  start(sim, async () => {
    const isProxy = c.kind[i] === Kind.proxy;
    const forPerson = isProxy ? c.proxyTargets.get(c.target[i]!) : undefined;
    const input = {
      requesterId: c.personId[i]!,
      campaignId: sim.campaignId,
      ...seat,
      idempotencyKey: `sim-${i}-${c.attempts[i]}`,
      forPerson,
    };
    const v = await request(sim, i, { kind: 'book', input });
    if (v?.kind !== 'book') return;
    const t = now(sim);
    sim.rec.latency('placeBooking', t, v.placeMs);
    sim.services.monitor.recordBooking('place', v.booked ? 'placed' : (v.reason ?? 'unknown'));
    if (v.booked) {
      c.bookedAtMs[i] = t;
      c.bookedDate[i] = v.booked.dose1.date;
      sim.seatsLeft -= 1;
      sim.rec.count('bookings', t);
      finish(sim, i, Outcome.booked);
      return;
    }
    sim.rec.count('bookingFailures', t);
    afterRefusal(sim, i, v.reason ?? 'unknown', v.alternatives?.[0]);
  });
}

function afterRefusal(
  sim: Sim,
  i: number,
  reason: string,
  alternative: { facilityId: number; date: string } | undefined,
): void {
  const c = sim.crowd;
  const retryable = reason === 'slot-full' || reason === 'dose2-unavailable' || reason === 'busy';
  const mayRetry = retryable && c.attempts[i]! < sim.scenario.session.maxAttempts;
  if (mayRetry && reason === 'slot-full' && alternative) {
    sim.rec.fail('book-slot-full-took-alternative');
    c.alternative.set(i, alternative);
    schedule(sim, now(sim) + thinkMs(sim, i, 'book'), i, Ev.book);
    return;
  }
  if (mayRetry) {
    sim.rec.fail(`book-${reason}-retried`);
    schedule(sim, now(sim) + RETRY_THINK_MS, i, Ev.search);
    return;
  }
  const outcome =
    reason === 'already-booked'
      ? Outcome.alreadyBooked
      : reason === 'proxy-banned'
        ? Outcome.proxyRefused
        : retryable
          ? Outcome.noSlot
          : reason === 'admission-used'
            ? Outcome.admissionEnded
            : reason === 'not-yet' || reason === 'not-in-cohort' || reason === 'window-closed'
              ? Outcome.notEligible
              : Outcome.error;
  finish(sim, i, outcome, `book-${reason}`);
}
