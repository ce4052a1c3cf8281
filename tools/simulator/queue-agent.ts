/**
 * People in front of the door: arriving, reloading, trying other devices, polling at the interval
 * the service tells them (bots: as fast as the limit allows), giving up and coming back. Every join
 * is a real `joinQueue` (one Lua script on the real Redis). Polls follow this rule:
 *
 * - 1 in `pollSampleEvery` people have every poll run through the real `pollStatus`;
 * - anyone else's poll runs real whenever the service might touch Redis for it: their seq has been
 *   reached or is within a front window (a claim), a pre-room place may be near the front (exact
 *   rank), or the ticket is newer than the snapshot;
 * - the remaining polls are answered from the snapshot with the service's own functions (etaBand,
 *   nextPollMs, estimatePreRoomSeq) and counted: they cost no Redis in the service either.
 */
import { etaBand, estimatePreRoomSeq, nextPollMs } from '../../src/waiting-room/snapshot.ts';
import { verifyQueueTicket } from '../../src/waiting-room/ticket.ts';
import { spreadOf } from '../../src/waiting-room/pre-room-scores.ts';
import type { QueueStatus } from '../../src/waiting-room/waiting-room.service.ts';
import { Kind, Outcome, State } from './crowd.ts';
import { exponential, uniform } from './distributions.ts';
import { Ev, WHEEL_BUCKET_MS, isSampled, now, schedule, start, timed, type Sim } from './sim.ts';
import { startSession } from './session-agent.ts';

const MINUTE_MS = 60_000;
/** Other devices try within about this long after the first (ms, mean). */
const OTHER_DEVICE_GAP_MS = 20_000;

type JoinKind = 'arrivalsFirst' | 'arrivalsReload' | 'arrivalsComeback';

export function onArrive(sim: Sim, i: number): void {
  const c = sim.crowd;
  const t = now(sim);
  c.firstJoinMs[i] = t;
  c.wasPreOpening[i] = t < sim.opensAtMs ? 1 : 0;
  c.state[i] = State.waiting;
  // Patience runs from the opening for people who came early: they knew they had to wait for it.
  sim.waitingSince[i] = Math.max(t, sim.opensAtMs);
  start(sim, () => join(sim, i, 'arrivalsFirst'));
  if (c.reloadsLeft[i]! > 0)
    schedule(sim, t + exponential(sim.scenario.arrivals.reloads.meanGapSeconds * 1000, sim.rng), i, Ev.reload);
  if (c.extraDevices[i]! > 0)
    schedule(sim, t + exponential(c.isBot(i) ? 2_000 : OTHER_DEVICE_GAP_MS, sim.rng), i, Ev.otherDevice);
}

/** A page reload: the same device joins again and must get the same place back. */
export function onReload(sim: Sim, i: number): void {
  const c = sim.crowd;
  if (c.state[i] !== State.waiting && c.state[i] !== State.admitted) return;
  c.reloadsLeft[i] = c.reloadsLeft[i]! - 1;
  start(sim, () => join(sim, i, 'arrivalsReload'));
  if (c.reloadsLeft[i]! > 0)
    schedule(sim, now(sim) + exponential(sim.scenario.arrivals.reloads.meanGapSeconds * 1000, sim.rng), i, Ev.reload);
}

/** Another device of the same person: refused while the first holds the place (and locked out). */
export function onOtherDevice(sim: Sim, i: number): void {
  const c = sim.crowd;
  const k = c.extraDevices[i]!;
  c.extraDevices[i] = k - 1;
  start(sim, async () => {
    const { value: r, ms } = await timed(() =>
      sim.wr.joinQueue({
        campaignId: sim.campaignId,
        identityHash: c.identityHash[i]!,
        deviceId: c.otherDeviceOf(i, k),
      }),
    );
    sim.rec.count('arrivalsOtherDevice', now(sim));
    sim.rec.latency('join', now(sim), ms);
    if (!r.ok && r.reason === 'other-device') sim.rec.count('refusedOtherDevice', now(sim));
    else if (r.ok) sim.rec.fail('other-device-joined-after-holder-place-ended'); // e.g. a proxy whose booking released their place
  });
  if (k > 1)
    schedule(sim, now(sim) + exponential(c.isBot(i) ? 2_000 : OTHER_DEVICE_GAP_MS, sim.rng), i, Ev.otherDevice);
}

/** Back after giving up: the same device re-joins (its place back, admitted at once if reached within grace). */
export function onComeBack(sim: Sim, i: number): void {
  const c = sim.crowd;
  if (c.state[i] !== State.gaveUp) return;
  c.state[i] = State.waiting;
  c.outcome[i] = Outcome.none;
  sim.waitingSince[i] = Math.max(now(sim), sim.opensAtMs);
  start(sim, () => join(sim, i, 'arrivalsComeback'));
}

async function join(sim: Sim, i: number, kind: JoinKind): Promise<void> {
  const c = sim.crowd;
  const { value: r, ms } = await timed(() =>
    sim.wr.joinQueue({ campaignId: sim.campaignId, identityHash: c.identityHash[i]!, deviceId: c.deviceOf(i) }),
  );
  const t = now(sim);
  sim.rec.count(kind, t);
  sim.rec.latency('join', t, ms);
  if (!r.ok) {
    if (r.reason !== 'already-completed') sim.rec.fail(`join-${r.reason}`);
    return;
  }
  keepTicket(sim, i, r.value.ticket);
  // A reload while a poll chain runs must not start a second one.
  const hasChain = kind === 'arrivalsReload' && !Number.isNaN(sim.nextPollAt[i]!);
  applyStatus(sim, i, r.value.status, !hasChain);
}

function keepTicket(sim: Sim, i: number, ticket: string): void {
  const c = sim.crowd;
  if (c.ticket[i] === ticket) return;
  c.ticket[i] = ticket;
  const v = verifyQueueTicket(ticket, sim.ticketKey, {
    campaignId: sim.campaignId,
    nowMs: now(sim),
    maxAgeMs: sim.poll.ticketMaxAgeMs,
  });
  if (!v.ok) throw new Error(`the service issued a ticket it cannot verify: ${v.reason}`);
  c.partition[i] = v.value.partition;
  c.seq[i] = v.value.seq ?? Number.NaN;
  c.preScore[i] = v.value.preScore ?? Number.NaN;
}

/** Acts on a status the real service returned. */
function applyStatus(sim: Sim, i: number, s: QueueStatus, isChainOwner: boolean): void {
  const c = sim.crowd;
  if (s.kind === 'admitted') {
    if (c.state[i] !== State.waiting) return; // a re-claim of an admission already being used
    c.state[i] = State.admitted;
    c.admittedAtMs[i] = now(sim);
    sim.nextPollAt[i] = Number.NaN;
    c.admission.set(i, { token: s.admissionToken, id: s.admissionId });
    sim.rec.count('claims', now(sim));
    startSession(sim, i);
    return;
  }
  if (s.kind === 'waiting' && s.eta && isSampled(sim, i) && !sim.etaPromises.has(i)) {
    sim.etaPromises.set(i, { atMs: now(sim), expectedMs: s.eta.expectedMs, lowMs: s.eta.lowMs, highMs: s.eta.highMs });
  }
  if (isChainOwner) schedulePoll(sim, i, s.nextPollMs);
}

function schedulePoll(sim: Sim, i: number, serviceDelayMs: number): void {
  const delay = sim.crowd.isBot(i) ? sim.scenario.bots.pollEveryMs : serviceDelayMs;
  const at = now(sim) + delay;
  sim.nextPollAt[i] = at;
  schedule(sim, at, i, Ev.poll);
}

export function onPoll(sim: Sim, i: number): void {
  const c = sim.crowd;
  const t = now(sim);
  // Stale: rescheduled later, or no longer waiting. (Events come out with their bucket, up to a bucket early.)
  if (c.state[i] !== State.waiting || !(sim.nextPollAt[i]! < t + WHEEL_BUCKET_MS)) return;
  if (c.kind[i] !== Kind.bot && t - sim.waitingSince[i]! >= c.patienceMs[i]!) {
    giveUp(sim, i);
    return;
  }
  const simulatedDelay = isSampled(sim, i) ? null : snapshotAnswer(sim, i);
  if (simulatedDelay !== null) {
    sim.rec.count('pollsSimulated', t);
    schedulePoll(sim, i, simulatedDelay);
    return;
  }
  if (isSampled(sim, i)) sim.counts.realPollsSampled += 1;
  else sim.counts.realPollsNearFront += 1;
  start(sim, () => realPoll(sim, i));
}

async function realPoll(sim: Sim, i: number): Promise<void> {
  const c = sim.crowd;
  const ticket = c.ticket[i]!;
  const { value: r, ms } = await timed(() =>
    sim.wr.pollStatus({
      campaignId: sim.campaignId,
      ticket,
      deviceId: c.deviceOf(i),
      identityHash: c.identityHash[i]!,
    }),
  );
  const t = now(sim);
  sim.rec.count('pollsReal', t);
  sim.rec.latency('poll', t, ms);
  if (r.ok) {
    if (r.value.ticket) keepTicket(sim, i, r.value.ticket);
    applyStatus(sim, i, r.value.status, true);
    return;
  }
  if (r.reason === 'place-expired') {
    // Reached while away longer than the grace period: a real client joins again, at the back.
    sim.rec.count('placeExpired', t);
    setAsidePromise(sim, i);
    await join(sim, i, 'arrivalsComeback');
    return;
  }
  sim.nextPollAt[i] = Number.NaN;
  c.state[i] = State.done;
  c.outcome[i] = r.reason === 'already-completed' ? Outcome.alreadyBooked : Outcome.error;
  if (r.reason !== 'already-completed') sim.rec.fail(`poll-${r.reason}`);
}

/**
 * The next poll delay if the service would answer this poll from its snapshot alone, else null
 * (the poll must run for real). Errs on the side of running real: its front window is wider than
 * the service's.
 */
function snapshotAnswer(sim: Sim, i: number): number | null {
  const c = sim.crowd;
  const t = now(sim);
  const part = sim.snapshot?.partitions[c.partition[i]!];
  if (t < sim.opensAtMs) {
    // As the service does: spread by the identity hash, not the score (hidden until the opening).
    const spread = spreadOf(c.identityHash[i]!) % sim.poll.maxPollMs;
    return Math.min(sim.poll.maxPollMs, Math.max(sim.poll.minPollMs, sim.opensAtMs - t + spread));
  }
  if (!part) return null;
  const { cursor, tail, frozen, preRoom } = part.stats;
  const window = Math.max(200, 4 * (part.rate?.p90PerSec ?? 0) * (sim.poll.maxPollMs / 1000));
  let seq = c.seq[i]!;
  if (Number.isNaN(seq)) {
    // A ticket issued before the opening shows no score: the service's first poll after it computes
    // the score and reissues the ticket, so that poll runs for real.
    if (Number.isNaN(c.preScore[i]!)) return null;
    const est = estimatePreRoomSeq(c.preScore[i]!, frozen ?? preRoom);
    if (est.seq - 4 * est.spread - cursor <= window) return null;
    seq = est.seq;
  } else if (seq - cursor <= window || seq > tail) {
    return null;
  }
  sim.counts.pollsSkipped += 1;
  return nextPollMs(etaBand(Math.max(0, seq - cursor - 1), part.rate, sim.poll.minPollMs), sim.poll);
}

/**
 * The place an ETA was shown for is gone (given up, or expired while away): the wait that follows
 * is for another place, so that ETA is set aside (counted) and the next one shown is measured.
 */
function setAsidePromise(sim: Sim, i: number): void {
  if (sim.etaPromises.delete(i)) sim.counts.etaPlacesLost += 1;
}

function giveUp(sim: Sim, i: number): void {
  const c = sim.crowd;
  setAsidePromise(sim, i);
  c.state[i] = State.gaveUp;
  c.outcome[i] = Outcome.gaveUp;
  sim.nextPollAt[i] = Number.NaN;
  sim.rec.count('gaveUp', now(sim));
  const w = sim.scenario.waiting;
  if (sim.rng.nextFloat() < w.comeBackShare)
    schedule(sim, now(sim) + uniform(w.comeBackAfterMinutes, sim.rng) * MINUTE_MS, i, Ev.comeBack);
}
