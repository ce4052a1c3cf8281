/** In-memory TurnNoticeStore: the embedded default and the unit tests' store (same contract as Redis). */
import type { QueueRef } from './keys.ts';
import type { NoticeState, PendingNotice, TurnNoticeStore } from './turn-notice.store.ts';

interface Partition {
  pending: Map<string, number>;
  sent: Map<string, { sentAtMs: number; seq: number }>;
  sentExpiresAtMs: number;
}

export function createMemoryTurnNoticeStore(): TurnNoticeStore {
  const partitions = new Map<string, Partition>();
  const get = (ref: QueueRef): Partition => {
    const key = `${ref.campaignId}\u0000${ref.partition}`;
    let p = partitions.get(key);
    if (!p) partitions.set(key, (p = { pending: new Map(), sent: new Map(), sentExpiresAtMs: Infinity }));
    return p;
  };
  return {
    async optIn(ref, n) {
      const p = get(ref);
      const sent = p.sent.get(n.identityHash);
      if (sent?.seq === n.seq) return 'already-sent';
      if (sent) p.sent.delete(n.identityHash);
      const had = p.pending.has(n.identityHash);
      p.pending.set(n.identityHash, n.seq);
      return had ? 'present' : 'added';
    },
    async optOut(ref, identityHash) {
      get(ref).pending.delete(identityHash);
    },
    async noticeOf(ref, identityHash): Promise<NoticeState | null> {
      const p = get(ref);
      const sent = p.sent.get(identityHash);
      if (sent) return { state: 'sent', ...sent };
      const seq = p.pending.get(identityHash);
      return seq === undefined ? null : { state: 'pending', seq };
    },
    async dueNotices(ref, req): Promise<PendingNotice[]> {
      // ZSET order: by seq, equal seqs by member.
      return [...get(ref).pending.entries()]
        .filter(([, seq]) => seq <= req.throughSeq)
        .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, Math.max(0, req.limit))
        .map(([identityHash, seq]) => ({ identityHash, seq }));
    },
    async markSent(ref, req) {
      const p = get(ref);
      if (p.sentExpiresAtMs <= req.nowMs) p.sent.clear();
      let marked = 0;
      for (const id of req.identityHashes) {
        const seq = p.pending.get(id);
        if (seq === undefined) continue;
        p.pending.delete(id);
        p.sent.set(id, { sentAtMs: req.nowMs, seq });
        marked++;
      }
      if (marked > 0) p.sentExpiresAtMs = req.nowMs + req.keepMs;
      return marked;
    },
    async close() {},
  };
}
