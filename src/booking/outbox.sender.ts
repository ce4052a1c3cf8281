/**
 * Delivers outbox messages after their booking committed. At-least-once: a message is marked
 * sent after the channel accepted it, so a crash between the two re-sends it on restart; the
 * outbox id travels with the message as the dedupe key a real SMS gateway takes. Failed sends are
 * retried with exponential backoff and jitter, and given up after `maxAttempts` (kept for operators).
 */
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import type { OutboxPayload } from './booking.table.ts';
import * as repo from './outbox.repository.ts';

/** Where confirmations go: an SMS gateway in production; a file or the log here. */
export interface MessageChannel {
  send(message: { id: number; kind: string; payload: OutboxPayload }): Promise<void>;
}

export interface OutboxSenderDeps {
  db: Db;
  clock: Clock;
  channel: MessageChannel;
  maxAttempts: number;
  batchSize?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function createOutboxSender(deps: OutboxSenderDeps) {
  const batch = deps.batchSize ?? 100;
  const base = deps.baseBackoffMs ?? 1_000;
  const max = deps.maxBackoffMs ?? 5 * 60_000;
  const random = deps.random ?? Math.random;

  /** Sends what is due now; returns how many were sent and how many failed this round. */
  async function runOnce(): Promise<{ sent: number; failed: number }> {
    return deps.db.transaction().execute(async (trx) => {
      const nowMs = deps.clock.nowMs();
      const due = await repo.claimDueMessages(trx, nowMs, batch);
      // Marked sent together at the end of the round, in the same transaction as before: a crash
      // before commit re-sends the round (at-least-once, as ever), at one UPDATE per round.
      const sentIds: number[] = [];
      let failed = 0;
      for (const m of due) {
        try {
          await deps.channel.send({ id: m.id, kind: m.kind, payload: m.payload });
          sentIds.push(m.id);
        } catch (e) {
          const attempt = m.attempts + 1;
          await repo.markAttemptFailed(trx, m.id, {
            nowMs, nextAttemptMs: nowMs + backoffMs(attempt, base, max, random),
            error: e instanceof Error ? e.message : String(e), giveUp: attempt >= deps.maxAttempts,
          });
          failed++;
        }
      }
      await repo.markAllSent(trx, sentIds, deps.clock.nowMs());
      return { sent: sentIds.length, failed };
    });
  }

  /** Polls every `intervalMs` until stopped; returns a stop function that waits for the current round. */
  function start(intervalMs: number, onError: (e: unknown) => void): () => Promise<void> {
    let stopped = false;
    let current: Promise<unknown> = Promise.resolve();
    const loop = async () => {
      while (!stopped) {
        current = runOnce().catch(onError);
        const r = await current;
        if (stopped) break;
        const busy = typeof r === 'object' && r !== null && (r as { sent: number }).sent === batch;
        if (!busy) await new Promise((res) => setTimeout(res, intervalMs));
      }
    };
    void loop();
    return async () => { stopped = true; await current; };
  }

  return { runOnce, start };
}
