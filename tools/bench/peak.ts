/**
 * The service's booking throughput end to end over HTTP: verify identities, join the queue, poll
 * until admitted (set-up, with the admission rate set high so the queue is not what is measured),
 * then every admitted person books one dose-1 slot at random, `concurrency` requests in flight.
 * The booking phase's bookings/s and latency percentiles are the result.
 */
import { closedLoop, newTally, tally, type LoadClient, type StatusTally } from './http-load.ts';
import { personIdOf, type VerifiablePerson } from './citizens.ts';
import { summarizeLatencies, type LatencySummary } from './stats.ts';
import { throwIfStopped, sleep } from './cleanup.ts';

/**
 * What Postgres counted (pg_stat_database, pg_stat_user_tables), in all or per booking. Per table:
 * rows read by sequential and index scans, inserted, updated (of them HOT).
 */
export interface DatabaseCounters {
  transactions: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsFetched: number;
  tables: Record<
    string,
    { seqRead: number; idxFetched: number; inserted: number; updated: number; hotUpdated: number }
  >;
}

const CAMPAIGN = 'demo';
const REQUEST_TIMEOUT_MS = 30_000;
const ADMISSION_DEADLINE_MS = 180_000;

export interface Admitted {
  auth: string;
  cookie: string;
  admissionToken: string;
  personId: number;
}

export interface StepRate {
  count: number;
  seconds: number;
  perSec: number;
  statuses: StatusTally;
}

export interface PeakResult {
  verify: StepRate;
  join: StepRate;
  polls: StepRate;
  booking: StepRate & { latency: LatencySummary; concurrency: number };
  /** CPU ms per confirmed booking in the booking phase: the service's processes, their Postgres backends, the load generator. */
  cpuMsPerBooking: { service: number; postgres: number; loadGenerator: number };
  /**
   * What the booking phase asked of its database, per confirmed booking (pg_stat_database's counters
   * of the bench's own scratch database; every autocommit statement is a transaction). Optional:
   * reports written before it existed lack it.
   */
  postgresPerBooking?: DatabaseCounters;
  bookedPersonIds: number[];
}

const rate = (count: number, ms: number, statuses: StatusTally): StepRate => ({
  count,
  seconds: ms / 1000,
  perSec: (count * 1000) / ms,
  statuses,
});

export const deviceIdOf = (runId: string, i: number) => `bench-${runId}-${i}`;

/**
 * Set-up requests answered 503 (the database probe timed out on a saturated machine) or 429 (the
 * join shed on event-loop delay) are retried after Retry-After, as the site does. Set-up is not measured.
 */
const SETUP_ATTEMPTS = 5;
async function sendSetup(
  client: LoadClient,
  i: number,
  req: Parameters<LoadClient['send']>[1],
  signal: AbortSignal,
): ReturnType<LoadClient['send']> {
  for (let attempt = 1; ; attempt++) {
    const r = await client.send(i, req);
    if ((r.status !== 503 && r.status !== 429) || attempt >= SETUP_ATTEMPTS) return r;
    await sleep(1_000 * (r.retryAfterSec ?? 1), signal);
  }
}

/** Verify → join → poll until admitted, for every person; returns who was admitted and the rates seen. */
export async function admitEveryone(
  client: LoadClient,
  people: readonly VerifiablePerson[],
  runId: string,
  signal: AbortSignal,
) {
  const verifyT = newTally(),
    joinT = newTally(),
    pollT = newTally();
  const sessions: string[] = new Array(people.length);
  let t = performance.now();
  await closedLoop(people.length, 64, signal, async (i) => {
    const r = await sendSetup(
      client,
      i,
      {
        method: 'POST',
        path: '/api/identity/verify',
        headers: {},
        body: { providerId: 'pass', rrn: people[i]!.rrn, name: people[i]!.name },
        timeoutMs: REQUEST_TIMEOUT_MS,
        wantJson: true,
      },
      signal,
    );
    tally(verifyT, r.status);
    if (r.status !== 200) throw new Error(`verify answered ${r.status}`);
    sessions[i] = (r.json as { sessionToken: string }).sessionToken;
  });
  const verify = rate(people.length, performance.now() - t, verifyT);
  throwIfStopped(signal);

  const tickets: string[] = new Array(people.length);
  // The signed device cookie each join set (the admission gate checks its signature).
  const cookies: string[] = new Array(people.length);
  const admitted: (Admitted | undefined)[] = new Array(people.length);
  t = performance.now();
  await closedLoop(people.length, 128, signal, async (i) => {
    const deviceId = deviceIdOf(runId, i);
    const r = await sendSetup(
      client,
      i,
      {
        method: 'POST',
        path: `/api/campaigns/${CAMPAIGN}/queue`,
        headers: { authorization: `Bearer ${sessions[i]}` },
        body: { deviceId },
        timeoutMs: REQUEST_TIMEOUT_MS,
        wantJson: true,
      },
      signal,
    );
    tally(joinT, r.status);
    if (r.status !== 200) throw new Error(`join answered ${r.status}`);
    const j = r.json as { ticket: string; status: { state: string; admission?: { token: string } } };
    tickets[i] = j.ticket;
    cookies[i] = r.cookie ?? `yeyak_dev=${deviceId}`;
    if (j.status.admission)
      admitted[i] = {
        auth: `Bearer ${sessions[i]}`,
        cookie: cookies[i]!,
        admissionToken: j.status.admission.token,
        personId: personIdOf(sessions[i]!),
      };
  });
  const join = rate(people.length, performance.now() - t, joinT);
  throwIfStopped(signal);

  t = performance.now();
  let pollCount = 0;
  const deadline = t + ADMISSION_DEADLINE_MS;
  await closedLoop(people.length, people.length, signal, async (i) => {
    const headers = { authorization: `Bearer ${sessions[i]}`, cookie: cookies[i]!, 'x-queue-ticket': tickets[i]! };
    while (!admitted[i] && performance.now() < deadline && !signal.aborted) {
      pollCount += 1;
      const r = await client.send(i, {
        method: 'GET',
        path: `/api/campaigns/${CAMPAIGN}/queue/status`,
        headers,
        timeoutMs: REQUEST_TIMEOUT_MS,
        wantJson: true,
      });
      tally(pollT, r.status);
      const j = r.json as {
        state?: string;
        nextPollMs?: number;
        admission?: { token: string };
        ticket?: string;
      } | null;
      if (j?.ticket) headers['x-queue-ticket'] = j.ticket;
      if (j?.admission)
        admitted[i] = {
          auth: headers.authorization,
          cookie: headers.cookie,
          admissionToken: j.admission.token,
          personId: personIdOf(sessions[i]!),
        };
      // Set-up, not measured: ask at least every second (the server may say up to 10 s).
      else await sleep(Math.min(1_000, Math.max(200, j?.nextPollMs ?? 1_000)), signal);
    }
  });
  const polls = rate(pollCount, performance.now() - t, pollT);
  const ready = admitted.filter((a): a is Admitted => a !== undefined);
  if (ready.length < people.length)
    throw new Error(
      `only ${ready.length} of ${people.length} people were admitted within ${ADMISSION_DEADLINE_MS / 1000} s`,
    );
  return { admitted: ready, verify, join, polls };
}

/** Books one random dose-1 slot per admitted person, `concurrency` in flight; the measured phase. */
export async function bookAll(
  client: LoadClient,
  admitted: readonly Admitted[],
  slotIds: readonly number[],
  runId: string,
  concurrency: number,
  signal: AbortSignal,
) {
  const statuses = newTally();
  const latencies: number[] = [];
  const booked: number[] = [];
  const t0 = performance.now();
  let lastDone = t0;
  await closedLoop(admitted.length, concurrency, signal, async (i) => {
    const a = admitted[i]!;
    const r = await client.send(i, {
      method: 'POST',
      path: `/api/campaigns/${CAMPAIGN}/bookings`,
      headers: {
        authorization: a.auth,
        cookie: a.cookie,
        'x-admission-token': a.admissionToken,
        'idempotency-key': `bench-${runId}-${i}`,
      },
      body: { slotId: slotIds[Math.floor(Math.random() * slotIds.length)] },
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    tally(statuses, r.status);
    lastDone = performance.now();
    if (r.status === 201) {
      latencies.push(r.ms);
      booked.push(a.personId);
    }
  });
  const ms = lastDone - t0;
  return {
    ...rate(booked.length, ms, statuses),
    latency: summarizeLatencies(latencies),
    concurrency,
    bookedPersonIds: booked,
  };
}
