/**
 * Delivers outbox messages after their booking committed. At-least-once, one message at a time,
 * repeats bounded: messages the channel accepted are marked sent together, `markEvery` at a time
 * (and at the end of each round), in one UPDATE. On opening night that is one statement and one
 * commit per `markEvery` confirmations instead of one per booking (issue 13: the per-message mark
 * was the booking path's second statement and second WAL flush). A crash re-sends at most the
 * `markEvery` messages whose sends had finished but whose mark had not landed (`markEvery: 1` is
 * the strictest: only the message in flight); the rest of the round is still claimed (leased) and
 * comes due again when its lease ends. Every message carries its outbox id, stable across retries
 * and restarts, as the key a channel (an SMS gateway) drops repeats by.
 * Failed sends are retried with exponential backoff and jitter, and given up after `maxAttempts`
 * (kept for operators).
 *
 * A new booking's message is written already claimed by the process that wrote it and handed to
 * that process's sender after commit (`handOff`): it is sent without a claim, so the outbox row is
 * written twice (insert, mark) instead of three times (insert, claim, mark). A handed-off message
 * still waiting when half its lease is gone is left to the claim path (it comes due when the lease
 * ends), so two senders never hold one message at once; nor does a crash lose it: a dead process's
 * handed-off messages come due when their lease ends, as its claims do.
 */
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import type { OutboxKind, OutboxPayload } from './booking.table.ts';
import * as repo from './outbox.repository.ts';
import type { OutboxHandOff } from './booking.service.ts';

/**
 * Where confirmations go: an SMS gateway in production; a file or the log here. `id` is the outbox
 * row's id: the same for every attempt at one message, so a channel may drop a repeat by it.
 */
export interface MessageChannel {
  send(message: ChannelMessage): Promise<void>;
  /**
   * Optional: takes several messages in one call (a gateway's bulk request, one append to a file),
   * all or nothing: when it throws, the sender sends each of them alone (so a failure is recorded on
   * the message that failed). The sender passes at most `markEvery` at a time, so after a crash the
   * repeats stay within one mark window as with single sends.
   */
  sendMany?(messages: readonly ChannelMessage[]): Promise<void>;
}

export interface ChannelMessage {
  id: number;
  kind: string;
  payload: OutboxPayload;
}

export interface OutboxSenderDeps {
  db: Db;
  clock: Clock;
  channel: MessageChannel;
  maxAttempts: number;
  batchSize?: number;
  /** How many accepted messages are marked sent in one statement (the bound on repeats after a crash). */
  markEvery?: number;
  /** How long a claimed message stays claimed (ms) before a dead sender's claim comes due again. */
  claimLeaseMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** A committed message its writer claimed until `claimedUntilMs`, handed to this process's sender. */
export interface HandedOffMessage {
  id: number;
  kind: OutboxKind;
  payload: OutboxPayload;
  claimedUntilMs: number;
}

/** Handed-off messages held at most; more are left to the claim path (they come due when their lease ends). */
const HANDED_OFF_MAX = 10_000;

export function createOutboxSender(deps: OutboxSenderDeps) {
  const batch = deps.batchSize ?? 100;
  const base = deps.baseBackoffMs ?? 1_000;
  const max = deps.maxBackoffMs ?? 5 * 60_000;
  const random = deps.random ?? Math.random;
  const leaseMs = deps.claimLeaseMs ?? 30_000;
  const markEvery = Math.max(1, deps.markEvery ?? 32);

  let handedOff: HandedOffMessage[] = [];
  let isRunning = false;

  /** A committed message this process wrote claimed: sent in the next round, without a claim. */
  function handOff(m: HandedOffMessage): void {
    if (handedOff.length < HANDED_OFF_MAX) handedOff.push(m);
  }

  /** Up to `batch` handed-off messages with more than half their lease left; the rest are left to the claim path. */
  function takeHandedOff(nowMs: number) {
    const taken: HandedOffMessage[] = [];
    let i = 0;
    for (; i < handedOff.length && taken.length < batch; i++) {
      const m = handedOff[i]!;
      if (m.claimedUntilMs - nowMs > leaseMs / 2) taken.push(m);
    }
    handedOff = handedOff.slice(i);
    return taken.map((m) => ({ ...m, attempts: 0 }));
  }

  /** A message this round sends: handed off (no attempt yet) or claimed. */
  type Due = ChannelMessage & { attempts: number };
  interface Round {
    sent: number;
    failed: number;
    /** Sent, not yet marked: never more than `markEvery`. */
    accepted: number[];
  }

  /** Whether the channel took all of `part` in one call. */
  async function sendAll(part: readonly Due[]): Promise<boolean> {
    try {
      await deps.channel.sendMany!(part.map((m) => ({ id: m.id, kind: m.kind, payload: m.payload })));
      return true;
    } catch {
      return false;
    }
  }

  /** One message on its own; a failure is recorded on it (retried with backoff, or given up). */
  async function sendAlone(m: Due, round: Round): Promise<void> {
    try {
      await deps.channel.send({ id: m.id, kind: m.kind, payload: m.payload });
      round.accepted.push(m.id);
    } catch (e) {
      const nowMs = deps.clock.nowMs();
      const attempt = m.attempts + 1;
      await repo.markAttemptFailed(deps.db, m.id, {
        nowMs,
        nextAttemptMs: nowMs + backoffMs(attempt, base, max, random),
        error: e instanceof Error ? e.message : String(e),
        giveUp: attempt >= deps.maxAttempts,
      });
      round.failed++;
    }
  }

  async function markAccepted(round: Round): Promise<void> {
    if (round.accepted.length === 0) return;
    const ids = round.accepted;
    round.accepted = [];
    await repo.markSent(deps.db, ids, deps.clock.nowMs());
    round.sent += ids.length;
  }

  /** Sends what was handed off and what is due now; returns how many were sent and how many failed this round. */
  async function runOnce(): Promise<{ sent: number; failed: number; isBusy: boolean }> {
    const mine = takeHandedOff(deps.clock.nowMs());
    const claimed = await repo.claimDueMessages(deps.db, deps.clock.nowMs(), batch, leaseMs);
    const due = [...mine, ...claimed];
    const round: Round = { sent: 0, failed: 0, accepted: [] };
    // A channel that takes many at once gets one mark window per call (one file append instead of
    // one per message); a window it refuses is sent again one message at a time.
    const window = deps.channel.sendMany ? markEvery : 1;
    for (let i = 0; i < due.length; i += window) {
      const part = due.slice(i, i + window);
      if (part.length > 1 && (await sendAll(part))) round.accepted.push(...part.map((m) => m.id));
      else for (const m of part) await sendAlone(m, round);
      if (part.length > 1 || round.accepted.length >= markEvery) await markAccepted(round);
    }
    await markAccepted(round);
    return { sent: round.sent, failed: round.failed, isBusy: mine.length === batch || claimed.length === batch };
  }

  /** Polls every `intervalMs` until stopped; returns a stop function that waits for the current round and sends what was handed off. */
  function start(intervalMs: number, onError: (e: unknown) => void): () => Promise<void> {
    let stopped = false;
    isRunning = true;
    let current: Promise<unknown> = Promise.resolve();
    // The pause between rounds; a stop ends it at once (no timer outlives the sender).
    let pause: { timer: NodeJS.Timeout; end: () => void } | undefined;
    const loop = async () => {
      while (!stopped) {
        current = runOnce().catch(onError);
        const r = await current;
        if (stopped) break;
        const busy = typeof r === 'object' && r !== null && (r as { isBusy: boolean }).isBusy;
        if (!busy)
          await new Promise<void>((end) => {
            pause = { timer: setTimeout(end, intervalMs), end };
          });
      }
    };
    void loop();
    // Stopping (graceful shutdown, after the HTTP server closed) sends what was handed off, so a
    // restart does not leave those messages to wait for their lease.
    return async () => {
      stopped = true;
      isRunning = false;
      if (pause) {
        clearTimeout(pause.timer);
        pause.end();
      }
      await current;
      while (handedOff.length > 0) {
        const r = await runOnce().catch((e: unknown) => onError(e));
        if (!r || r.sent + r.failed === 0) break;
      }
    };
  }

  /** The booking service's port to this sender: writers hand it messages only while it runs. */
  const writers: OutboxHandOff = { leaseMs: () => (isRunning ? leaseMs : undefined), handOff };

  return { runOnce, start, writers };
}
