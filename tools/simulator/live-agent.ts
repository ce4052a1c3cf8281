/**
 * One person in live mode, over real HTTP: verify identity, join, poll at the interval the server
 * says (scripts: as fast as the limit allows), reload, try other devices, give up and come back,
 * then — admitted — eligibility, slot search and booking with the admission token, as the citizen
 * site does. Real time: the scenario's human times are compressed by the run's speed-up beforehand.
 * Every loop is bounded by the run's end time and a step count.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Prng } from '../../src/synthetic/prng.ts';
import { Kind, Outcome, State, type Crowd, type ProxyTarget } from './crowd.ts';
import { exponential, logNormal, uniform } from './distributions.ts';
import type { Http, Reply } from './live-http.ts';
import type { LatencyKind, Recorder } from './recorder.ts';
import type { Scenario } from './scenario.ts';
import type { EtaPromise } from './sim.ts';

const MAX_STEPS = 5_000;
const MAX_JOIN_ATTEMPTS = 5;

export interface LiveCtx {
  http: Http;
  crowd: Crowd;
  rec: Recorder;
  scenario: Scenario;
  campaignId: string;
  opensAtMs: number;
  /** Every loop ends by this instant (moved to now on Ctrl-C). */
  endMs: number;
  credentials: Map<number, ProxyTarget>;
  rng: Prng;
  etaPromises: Map<number, EtaPromise>;
  background: Promise<void>[];
  counts: { requests: number; tooMany: number; serverErrors: number };
  /** The run's speed-up: fixed human delays of this file shrink with it like the scenario's. */
  speedup: number;
}

/** Mean gap before another device tries, and the pause before searching again after a full slot (ms, unscaled). */
const OTHER_DEVICE_GAP_MS = 20_000;
const RETRY_THINK_MS = 3_000;

interface Me {
  i: number;
  auth: Record<string, string>;
  ticket: string;
}

const wait = async (ctx: LiveCtx, ms: number) => {
  const until = Math.min(ctx.endMs, Date.now() + Math.max(0, ms));
  await sleep(Math.max(0, until - Date.now()));
  return Date.now() < ctx.endMs;
};

async function call(
  ctx: LiveCtx,
  i: number,
  kind: LatencyKind,
  method: 'GET' | 'POST',
  path: string,
  o: { headers?: Record<string, string>; json?: unknown } = {},
): Promise<Reply> {
  const r = await ctx.http.call(i, method, path, o);
  ctx.counts.requests += 1;
  if (r.status === 429) ctx.counts.tooMany += 1;
  if (r.status >= 500) {
    ctx.counts.serverErrors += 1;
    ctx.rec.fail(`http-${r.status}-${path.split('?')[0]}`);
  }
  ctx.rec.latency(kind, Date.now(), r.ms);
  return r;
}

async function verify(ctx: LiveCtx, i: number): Promise<string | null> {
  const who = ctx.credentials.get(i)!;
  const r = await call(ctx, i, 'join', 'POST', '/api/identity/verify', {
    json: { providerId: 'pass', rrn: who.rrn, name: who.name },
  });
  if (r.status !== 200) {
    ctx.rec.fail(`verify-${r.status}-${r.body?.code ?? ''}`);
    return null;
  }
  return r.body.sessionToken as string;
}

/** Joins (or re-joins); a 429 (the front door shedding load, or a limit) is retried after its Retry-After, as the site does. */
async function join(
  ctx: LiveCtx,
  me: Me,
  counter: 'arrivalsFirst' | 'arrivalsReload' | 'arrivalsComeback',
): Promise<Reply> {
  for (let attempt = 1; ; attempt += 1) {
    const r = await call(ctx, me.i, 'join', 'POST', `/api/campaigns/${ctx.campaignId}/queue`, {
      headers: me.auth,
      json: { deviceId: ctx.crowd.deviceOf(me.i) },
    });
    ctx.rec.count(counter, Date.now());
    if (r.status === 200) me.ticket = r.body.ticket;
    // The server's signed device cookie, sent back from now on (as a browser does).
    if (r.status === 200 && r.cookie) me.auth.cookie = r.cookie;
    if (r.status !== 429 || attempt >= MAX_JOIN_ATTEMPTS) return r;
    ctx.rec.fail(`join-429-${r.body?.code ?? ''}-retried`);
    if (!(await wait(ctx, (r.retryAfterS ?? 5) * 1000))) return r;
  }
}

/** The whole night of person i. */
export async function livePerson(ctx: LiveCtx, i: number): Promise<void> {
  const c = ctx.crowd;
  if (!(await wait(ctx, c.arriveAtMs[i]! - Date.now()))) return;
  const token = await verify(ctx, i);
  if (!token) {
    c.outcome[i] = Outcome.error;
    return;
  }
  c.firstJoinMs[i] = Date.now();
  c.wasPreOpening[i] = Date.now() < ctx.opensAtMs ? 1 : 0;
  c.state[i] = State.waiting;
  const me: Me = { i, auth: { authorization: `Bearer ${token}`, cookie: `yeyak_dev=${c.deviceOf(i)}` }, ticket: '' };
  let status = await join(ctx, me, 'arrivalsFirst');
  if (status.status !== 200) {
    c.outcome[i] = Outcome.error;
    ctx.rec.fail(`join-${status.status}-${status.body?.code ?? ''}`);
    return;
  }
  ctx.background.push(reloads(ctx, me), otherDevices(ctx, i));
  const admission = await waitForTurn(ctx, me, status.body.status);
  if (!admission) {
    if (c.state[i] === State.waiting) c.outcome[i] = Outcome.stillWaiting;
    return;
  }
  c.state[i] = State.admitted;
  c.admittedAtMs[i] = Date.now();
  ctx.rec.count('claims', Date.now());
  await bookingSession(ctx, me, { ...me.auth, 'x-admission-token': admission });
}

/** Polls until admitted (returns the admission token) or the person leaves (null). */
async function waitForTurn(ctx: LiveCtx, me: Me, first: any): Promise<string | null> {
  const c = ctx.crowd,
    i = me.i;
  let s = first;
  let since = Math.max(Date.now(), ctx.opensAtMs);
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (s?.state === 'admitted') return s.admission.token as string;
    if (
      s?.state === 'waiting' &&
      s.eta &&
      i % ctx.scenario.simulation.pollSampleEvery === 0 &&
      !ctx.etaPromises.has(i)
    ) {
      ctx.etaPromises.set(i, {
        atMs: Date.now(),
        expectedMs: s.eta.seconds * 1000,
        lowMs: s.eta.lowSeconds * 1000,
        highMs: s.eta.highSeconds === null ? null : s.eta.highSeconds * 1000,
      });
    }
    const delay = c.isBot(i) ? ctx.scenario.bots.pollEveryMs : (s?.nextPollMs ?? 1_000);
    if (!(await wait(ctx, delay))) return null;
    if (c.kind[i] !== Kind.bot && Date.now() - since >= c.patienceMs[i]!) {
      c.state[i] = State.gaveUp;
      c.outcome[i] = Outcome.gaveUp;
      ctx.rec.count('gaveUp', Date.now());
      if (ctx.rng.nextFloat() >= ctx.scenario.waiting.comeBackShare) return null;
      if (!(await wait(ctx, uniform(ctx.scenario.waiting.comeBackAfterMinutes, ctx.rng) * 60_000))) return null;
      c.state[i] = State.waiting;
      c.outcome[i] = Outcome.none;
      since = Date.now();
      const back = await join(ctx, me, 'arrivalsComeback');
      s = back.status === 200 ? back.body.status : null;
      continue;
    }
    const r = await call(ctx, i, 'poll', 'GET', `/api/campaigns/${ctx.campaignId}/queue/status`, {
      headers: { ...me.auth, 'x-queue-ticket': me.ticket },
    });
    ctx.rec.count('pollsReal', Date.now());
    if (r.status === 200) {
      me.ticket = r.body.ticket ?? me.ticket;
      s = r.body;
      continue;
    }
    if (r.status === 429) {
      s = null;
      continue;
    }
    if (r.body?.code === 'queue-place-expired') {
      ctx.rec.count('placeExpired', Date.now());
      const again = await join(ctx, me, 'arrivalsComeback');
      s = again.status === 200 ? again.body.status : null;
      continue;
    }
    ctx.rec.fail(`poll-${r.status}-${r.body?.code ?? ''}`);
    c.state[i] = State.done;
    c.outcome[i] = r.body?.code === 'queue-completed' ? Outcome.alreadyBooked : Outcome.error;
    return null;
  }
  return null;
}

async function reloads(ctx: LiveCtx, me: Me): Promise<void> {
  const c = ctx.crowd;
  for (let k = c.reloadsLeft[me.i]!; k > 0; k -= 1) {
    if (!(await wait(ctx, exponential(ctx.scenario.arrivals.reloads.meanGapSeconds * 1000, ctx.rng)))) return;
    if (c.state[me.i] !== State.waiting && c.state[me.i] !== State.admitted) return;
    await join(ctx, me, 'arrivalsReload');
  }
}

async function otherDevices(ctx: LiveCtx, i: number): Promise<void> {
  const c = ctx.crowd;
  for (let k = c.extraDevices[i]!; k > 0; k -= 1) {
    if (!(await wait(ctx, exponential((c.isBot(i) ? 2_000 : OTHER_DEVICE_GAP_MS) / ctx.speedup, ctx.rng)))) return;
    const token = await verify(ctx, i);
    if (!token) continue;
    const r = await call(ctx, i, 'join', 'POST', `/api/campaigns/${ctx.campaignId}/queue`, {
      headers: { authorization: `Bearer ${token}` },
      json: { deviceId: c.otherDeviceOf(i, k) },
    });
    ctx.rec.count('arrivalsOtherDevice', Date.now());
    if (r.body?.code === 'queue-other-device') ctx.rec.count('refusedOtherDevice', Date.now());
  }
}

function think(ctx: LiveCtx, i: number, step: 'eligibility' | 'search' | 'book'): number {
  return (
    logNormal(ctx.crowd.isBot(i) ? ctx.scenario.bots.thinkSeconds : ctx.scenario.session.thinkSeconds[step], ctx.rng) *
    1000
  );
}

function end(ctx: LiveCtx, i: number, outcome: number, reason?: string) {
  ctx.crowd.state[i] = outcome === Outcome.booked ? State.booked : State.done;
  ctx.crowd.outcome[i] = outcome;
  if (reason) ctx.rec.fail(reason);
}

async function bookingSession(ctx: LiveCtx, me: Me, h: Record<string, string>): Promise<void> {
  const c = ctx.crowd,
    i = me.i,
    base = `/api/campaigns/${ctx.campaignId}`;
  const isProxy = c.kind[i] === Kind.proxy;
  if (!isProxy) {
    if (!(await wait(ctx, think(ctx, i, 'eligibility')))) return;
    const e = await call(ctx, i, 'bookingPath', 'GET', `${base}/eligibility`, { headers: h });
    if (e.status !== 200) return end(ctx, i, Outcome.admissionEnded, `eligibility-${e.status}-${e.body?.code ?? ''}`);
    if (e.body.status !== 'eligible')
      return end(
        ctx,
        i,
        e.body.status === 'already-booked' ? Outcome.alreadyBooked : Outcome.notEligible,
        `eligibility-${e.body.status}`,
      );
  }
  for (let attempt = 1; attempt <= ctx.scenario.session.maxAttempts; attempt += 1) {
    if (!(await wait(ctx, attempt === 1 ? think(ctx, i, 'search') : RETRY_THINK_MS / ctx.speedup))) return;
    const slots = await search(ctx, i, h);
    if (typeof slots === 'string')
      return end(ctx, i, slots === 'none' ? Outcome.noSlot : Outcome.notEligible, `search-${slots}`);
    if (!(await wait(ctx, think(ctx, i, 'book')))) return;
    const slotId = c.isBot(i) ? slots[0] : slots[ctx.rng.nextInt(slots.length)];
    const forPerson = isProxy ? ctx.credentials.get(c.target[i]!) : undefined;
    const r = await call(ctx, i, 'placeBooking', 'POST', `${base}/bookings`, {
      headers: { ...h, 'idempotency-key': `live-${i}-${attempt}` },
      json: { slotId, ...(forPerson ? { forPerson } : {}) },
    });
    if (r.status === 201) {
      c.bookedAtMs[i] = Date.now();
      c.bookedDate[i] = r.body.dose1.date;
      ctx.rec.count('bookings', Date.now());
      return end(ctx, i, Outcome.booked);
    }
    ctx.rec.count('bookingFailures', Date.now());
    const code = r.body?.code ?? String(r.status);
    if (code !== 'slot-full' && code !== 'dose2-unavailable' && code !== 'busy') {
      return end(
        ctx,
        i,
        code === 'already-booked'
          ? Outcome.alreadyBooked
          : code === 'proxy-banned'
            ? Outcome.proxyRefused
            : Outcome.error,
        `book-${code}`,
      );
    }
    ctx.rec.fail(`book-${code}-retried`);
  }
  end(ctx, i, Outcome.noSlot, 'book-gave-up-after-attempts');
}

/** Slot ids offered (own district, then province, then anywhere), or why there are none. */
async function search(ctx: LiveCtx, i: number, h: Record<string, string>): Promise<number[] | string> {
  const c = ctx.crowd,
    limit = ctx.scenario.session.slotChoices;
  for (const q of [`region=${c.regionCode[i]}&district=${c.districtCode[i]}&`, `region=${c.regionCode[i]}&`, '']) {
    const r = await call(ctx, i, 'bookingPath', 'GET', `/api/campaigns/${ctx.campaignId}/slots?${q}limit=${limit}`, {
      headers: h,
    });
    if (r.status !== 200) return `${r.status}-${r.body?.code ?? ''}`;
    const ids = (r.body.slots as { slotId: number }[]).map((s) => s.slotId);
    if (ids.length > 0) return ids;
  }
  return 'none';
}
