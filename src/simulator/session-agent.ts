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
import { Kind, Outcome, State } from './crowd.ts';
import { logNormal } from './distributions.ts';
import { Ev, now, schedule, start, timed, type Sim } from './sim.ts';

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
  if (reason) sim.rec.fail(reason);
}

/**
 * One request on the booking path: the gate, then `call`. Returns null when the gate refused
 * (the session is over). Thrown errors count as a 5xx for the monitor and stop the run.
 */
async function gated<T>(sim: Sim, i: number, call: () => Promise<T>): Promise<T | null> {
  const c = sim.crowd;
  const adm = c.admission.get(i);
  if (!adm) return null;
  const t0 = performance.now();
  let status = 500;
  try {
    const gate = await sim.wr.verifyAdmission({ campaignId: sim.campaignId, token: adm.token, identityHash: c.identityHash[i]!, deviceId: c.deviceOf(i) });
    if (!gate.ok) { status = 403; finish(sim, i, Outcome.admissionEnded, `admission-${gate.reason}`); return null; }
    const value = await call();
    status = 200;
    return value;
  } finally {
    const ms = performance.now() - t0;
    sim.services.monitor.recordRequest(ms, status);
    sim.rec.latency('bookingPath', now(sim), ms);
  }
}

export function onEligibility(sim: Sim, i: number): void {
  if (sim.crowd.state[i] !== State.admitted) return;
  start(sim, async () => {
    const r = await gated(sim, i, () => sim.services.availability.eligibilityOf(sim.crowd.personId[i]!, sim.campaignId));
    if (r === null) return;
    if (!r.ok) { finish(sim, i, Outcome.error, `eligibility-${r.reason}`); return; }
    const status = r.value.status;
    if (status === 'eligible') schedule(sim, now(sim) + thinkMs(sim, i, 'search'), i, Ev.search);
    else if (status === 'already-booked') finish(sim, i, Outcome.alreadyBooked, 'eligibility-already-booked');
    else finish(sim, i, Outcome.notEligible, `eligibility-${status}`);
  });
}

export function onSearch(sim: Sim, i: number): void {
  if (sim.crowd.state[i] !== State.admitted) return;
  start(sim, async () => {
    const c = sim.crowd;
    const target = c.target[i]!;
    const limit = sim.scenario.session.slotChoices;
    let offered: number[] = [];
    for (const where of [{ regionCode: c.regionCode[i], districtCode: c.districtCode[i] }, { regionCode: c.regionCode[i] }, {}]) {
      const r = await gated(sim, i, () => sim.services.availability.openSlotsFor(c.personId[target]!, sim.campaignId, { ...where, limit }));
      if (r === null) return;
      if (!r.ok) { finish(sim, i, Outcome.notEligible, `search-${r.reason}`); return; }
      offered = r.value.slots.map((s) => s.slotId);
      if (offered.length > 0) break;
    }
    if (offered.length === 0) { finish(sim, i, Outcome.noSlot, 'search-no-slots-left'); return; }
    c.offered.set(i, offered);
    schedule(sim, now(sim) + thinkMs(sim, i, 'book'), i, Ev.book);
  });
}

export function onBook(sim: Sim, i: number): void {
  const c = sim.crowd;
  if (c.state[i] !== State.admitted) return;
  const offered = c.offered.get(i) ?? [];
  // Scripts take the first (earliest) slot shown; people pick among what they see.
  const slotId = c.isBot(i) ? offered[0] : offered[sim.rng.nextInt(Math.max(1, offered.length))];
  if (slotId === undefined) { finish(sim, i, Outcome.noSlot, 'book-nothing-offered'); return; }
  c.attempts[i] = c.attempts[i]! + 1;
  start(sim, async () => {
    const isProxy = c.kind[i] === Kind.proxy;
    const forPerson = isProxy ? c.proxyTargets.get(c.target[i]!) : undefined;
    const admissionId = c.admission.get(i)?.id;
    const attempt = c.attempts[i]!;
    const placed = await gated(sim, i, () => timed(() => sim.services.booking.placeBooking({
      requesterId: c.personId[i]!, campaignId: sim.campaignId, slotId, idempotencyKey: `sim-${i}-${attempt}`, forPerson, admissionId,
    })));
    if (placed === null) return;
    const t = now(sim);
    sim.rec.latency('placeBooking', t, placed.ms);
    const r = placed.value;
    sim.services.monitor.recordBooking('place', r.ok ? 'placed' : r.reason);
    if (r.ok) {
      c.bookedAtMs[i] = t;
      c.bookedDate[i] = r.value.dose1.date;
      sim.seatsLeft -= 1;
      sim.rec.count('bookings', t);
      finish(sim, i, Outcome.booked);
      await sim.services.waitingRoom.bookingPlaced(sim.campaignId, c.identityHash[i]!, c.deviceOf(i), r.value.isProxy);
      return;
    }
    sim.rec.count('bookingFailures', t);
    afterRefusal(sim, i, r.reason);
  });
}

function afterRefusal(sim: Sim, i: number, reason: string): void {
  const c = sim.crowd;
  const retryable = reason === 'slot-full' || reason === 'dose2-unavailable' || reason === 'busy';
  if (retryable && c.attempts[i]! < sim.scenario.session.maxAttempts) {
    sim.rec.fail(`book-${reason}-retried`);
    schedule(sim, now(sim) + RETRY_THINK_MS, i, Ev.search);
    return;
  }
  const outcome = reason === 'already-booked' ? Outcome.alreadyBooked
    : reason === 'proxy-banned' ? Outcome.proxyRefused
      : retryable ? Outcome.noSlot
        : reason === 'admission-used' ? Outcome.admissionEnded
          : reason === 'not-yet' || reason === 'not-in-cohort' || reason === 'window-closed' ? Outcome.notEligible : Outcome.error;
  finish(sim, i, outcome, `book-${reason}`);
}
