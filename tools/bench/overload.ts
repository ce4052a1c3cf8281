/**
 * 10× overload: people arrive at `ratePerSec` (an open loop: arrivals never wait for the service)
 * for `durationSec`, each wanting one booking.
 *   - 'waiting-room': each joins the queue, polls when the server says (nextPollMs), and books as
 *     soon as it is admitted; the admission controller decides how many reach booking.
 *   - 'direct' (the 2021 design; the service runs with ADMISSION_GATE=off): each sends its booking
 *     at once, and gives up after `timeoutMs` counted from its arrival.
 * Goodput = confirmed bookings (201 received) completed in [warm-up, end of arrivals), per second.
 * Latency of a booking = from the moment the person sends it (admitted, or arrived for 'direct')
 * to its answer, including any wait for a connection.
 */
import { newTally, openLoop, tally, type LoadClient, type StatusTally } from './http-load.ts';
import { ratePerSecIn, summarizeLatencies, perSecondCounts, type LatencySummary } from './stats.ts';
import { sleep } from './cleanup.ts';

const CAMPAIGN = 'demo';

export interface OverloadPlan {
  mode: 'waiting-room' | 'direct';
  ratePerSec: number;
  durationSec: number;
  warmupSec: number;
  timeoutMs: number;
  runId: string;
}

export interface OverloadResult {
  mode: OverloadPlan['mode'];
  offeredPerSec: number;
  arrivals: number;
  durationSec: number;
  warmupSec: number;
  goodputPerSec: number;
  bookingsConfirmed: number;
  bookingLatency: LatencySummary;
  bookingStatuses: StatusTally;
  queueStatuses: StatusTally;
  status5xx: number;
  errors: number;
  confirmedPerSecond: number[];
  /** waiting-room only: time from arrival to admission seen by the client. */
  admissionWait: LatencySummary | null;
  joins: number;
  polls: number;
  /** How late the load generator started an arrival at worst (its own CPU starvation on the shared cores). */
  generatorMaxLagMs: number;
  /** Why requests failed without an HTTP status (client-side code → count). */
  failures: Record<string, number>;
  /** Average cores each part kept busy during the phase (filled in by the scenario, which knows the processes). */
  coresUsed?: { frontDoor: number | null; booking: number; loadGenerator: number };
  /** Front-door CPU ms per join or poll it answered (waiting-room run). */
  frontDoorCpuMsPerAnswer?: number | null;
}

/** Where each kind of request goes: a deployment's load balancer routes queue and booking paths apart. */
export interface OverloadClients {
  queue: LoadClient;
  booking: LoadClient;
}

export async function runOverload(
  clients: OverloadClients,
  plan: OverloadPlan,
  sessions: readonly string[],
  slotIds: readonly number[],
  signal: AbortSignal,
): Promise<OverloadResult> {
  const arrivals = Math.min(sessions.length, Math.round(plan.ratePerSec * plan.durationSec));
  const bookingStatuses = newTally(),
    queueStatuses = newTally();
  const latencies: number[] = [],
    confirmedAt: number[] = [],
    waits: number[] = [];
  let joins = 0,
    polls = 0;
  let endAt = Number.POSITIVE_INFINITY;

  async function book(i: number, headers: Record<string, string>, sentAt: number, timeoutMs: number) {
    const r = await clients.booking.send(i, {
      method: 'POST',
      path: `/api/campaigns/${CAMPAIGN}/bookings`,
      headers: { ...headers, 'idempotency-key': `ovl-${plan.runId}-${i}` },
      body: { slotId: slotIds[Math.floor(Math.random() * slotIds.length)] },
      timeoutMs,
    });
    const done = performance.now();
    tally(bookingStatuses, r.status);
    // Every booking answer counts for latency; one given up counts as its time limit (the
    // generator's own lag can only make it look later, never earlier).
    latencies.push(r.status === 0 ? Math.min(done - sentAt, plan.timeoutMs) : done - sentAt);
    if (r.status === 201) confirmedAt.push(done);
  }

  async function direct(i: number, arrivedAt: number) {
    await book(
      i,
      { authorization: `Bearer ${sessions[i]}` },
      arrivedAt,
      arrivedAt + plan.timeoutMs - performance.now(),
    );
  }

  async function throughRoom(i: number, arrivedAt: number) {
    const deviceId = `ovl-${plan.runId}-${i}`;
    const base = { authorization: `Bearer ${sessions[i]}`, cookie: `yeyak_dev=${deviceId}` };
    // Turned away while the front door sheds load (429 with Retry-After): come back when told,
    // as the citizen site does, until the run's window closes.
    let j: Awaited<ReturnType<LoadClient['send']>>;
    for (;;) {
      joins += 1;
      j = await clients.queue.send(i, {
        method: 'POST',
        path: `/api/campaigns/${CAMPAIGN}/queue`,
        headers: base,
        body: { deviceId },
        timeoutMs: plan.timeoutMs,
        wantJson: true,
      });
      tally(queueStatuses, j.status);
      if (j.status !== 429 || j.retryAfterSec === undefined) break;
      if (performance.now() + j.retryAfterSec * 1000 >= endAt || signal.aborted) return;
      await sleep(j.retryAfterSec * 1000, signal).catch(() => undefined);
    }
    if (j.status !== 200) return;
    // The server's signed device cookie, sent back from now on (as a browser does).
    if (j.cookie) base.cookie = j.cookie;
    let reply = j.json as { ticket: string; status: { nextPollMs?: number | null; admission?: { token: string } } };
    let ticket = reply.ticket;
    let admission = reply.status.admission?.token;
    let next = reply.status.nextPollMs ?? 1_000;
    while (!admission) {
      if (performance.now() + next >= endAt || signal.aborted) return; // still waiting when the window closes
      await sleep(next, signal).catch(() => undefined);
      if (signal.aborted) return;
      polls += 1;
      const p = await clients.queue.send(i, {
        method: 'GET',
        path: `/api/campaigns/${CAMPAIGN}/queue/status`,
        headers: { ...base, 'x-queue-ticket': ticket },
        timeoutMs: plan.timeoutMs,
        wantJson: true,
      });
      tally(queueStatuses, p.status);
      if (p.status !== 200) {
        next = 1_000;
        continue;
      }
      const s = p.json as { ticket?: string; nextPollMs?: number | null; admission?: { token: string } };
      if (s.ticket) ticket = s.ticket;
      admission = s.admission?.token;
      next = s.nextPollMs ?? 1_000;
    }
    const now = performance.now();
    waits.push(now - arrivedAt);
    await book(i, { ...base, 'x-admission-token': admission }, now, plan.timeoutMs);
  }

  clients.queue.failures.clear();
  clients.booking.failures.clear();
  const started = performance.now();
  endAt = started + plan.durationSec * 1000;
  const { t0, maxStartLagMs } = await openLoop(
    arrivals,
    plan.ratePerSec,
    signal,
    plan.mode === 'direct' ? direct : throughRoom,
  );
  const from = t0 + plan.warmupSec * 1000,
    to = t0 + plan.durationSec * 1000;
  const status5xx = bookingStatuses.c5xx + queueStatuses.c5xx;
  return {
    mode: plan.mode,
    offeredPerSec: plan.ratePerSec,
    arrivals,
    durationSec: plan.durationSec,
    warmupSec: plan.warmupSec,
    goodputPerSec: ratePerSecIn(confirmedAt, from, to),
    bookingsConfirmed: confirmedAt.length,
    bookingLatency: summarizeLatencies(latencies),
    bookingStatuses,
    queueStatuses,
    status5xx,
    errors: status5xx + bookingStatuses.failed + queueStatuses.failed,
    confirmedPerSecond: perSecondCounts(confirmedAt, t0, Math.ceil(plan.durationSec)),
    admissionWait: plan.mode === 'waiting-room' ? summarizeLatencies(waits) : null,
    joins,
    polls,
    generatorMaxLagMs: maxStartLagMs,
    failures: Object.fromEntries(
      mergeCounts(clients.queue.failures, clients.queue === clients.booking ? new Map() : clients.booking.failures),
    ),
  };
}

function mergeCounts(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
