/**
 * TurnNoticeStore on Redis (or Redis Cluster): two keys per partition under the partition's hash tag
 * (keys.ts), so each script is single-slot. The two steps that read and write are Lua scripts
 * registered on the shared client (it belongs to the waiting room's store, which closes it).
 */
import type { Cluster, Redis } from 'ioredis';
import { turnNoticeKeys, type QueueRef } from './keys.ts';
import type { NoticeState, PendingNotice, TurnNoticeStore } from './turn-notice.store.ts';

type Client = Redis | Cluster;

/*
KEYS[1] pending (ZSET)  KEYS[2] sent (HASH)
ARGV[1] identity hash   ARGV[2] seq
Returns 'already-sent' (this seq's message went out) | 'added' | 'present'
A sent mark is "sent_at_ms:seq"; a mark for another seq (an earlier place) is dropped.
*/
const OPT_IN = `
local sent = redis.call('HGET', KEYS[2], ARGV[1])
if sent then
  if string.match(sent, ':(%d+)$') == ARGV[2] then return 'already-sent' end
  redis.call('HDEL', KEYS[2], ARGV[1])
end
if redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) == 1 then return 'added' end
return 'present'`;

/*
KEYS[1] pending (ZSET)  KEYS[2] sent (HASH)
ARGV[1] now_ms (epoch ms)  ARGV[2] keep_ms  ARGV[3..] identity hashes
Returns how many were pending (and are now marked "now_ms:seq").
*/
const MARK_SENT = `
local marked = 0
for i = 3, #ARGV do
  local seq = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if seq then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[1] .. ':' .. seq)
    marked = marked + 1
  end
end
if marked > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return marked`;

interface NoticeCommands {
  wrNoticeOptIn(pending: string, sent: string, identityHash: string, seq: number): Promise<string>;
  wrNoticeMarkSent(pending: string, sent: string, nowMs: number, keepMs: number, ...ids: string[]): Promise<number>;
}

export function createRedisTurnNoticeStore(o: { client: Client; keyPrefix: string }): TurnNoticeStore {
  const client = o.client as Client & NoticeCommands;
  client.defineCommand('wrNoticeOptIn', { numberOfKeys: 2, lua: OPT_IN });
  client.defineCommand('wrNoticeMarkSent', { numberOfKeys: 2, lua: MARK_SENT });
  const k = (ref: QueueRef) => turnNoticeKeys(o.keyPrefix, ref);
  return {
    async optIn(ref, n) {
      const { pending, sent } = k(ref);
      return (await client.wrNoticeOptIn(pending, sent, n.identityHash, n.seq)) as 'added' | 'present' | 'already-sent';
    },
    async optOut(ref, identityHash) {
      await client.zrem(k(ref).pending, identityHash);
    },
    async noticeOf(ref, identityHash): Promise<NoticeState | null> {
      const { pending, sent } = k(ref);
      const [sentAt, seq] = await Promise.all([client.hget(sent, identityHash), client.zscore(pending, identityHash)]);
      if (sentAt !== null) {
        const [at, sentSeq] = sentAt.split(':');
        return { state: 'sent', sentAtMs: Number(at), seq: Number(sentSeq) };
      }
      return seq === null ? null : { state: 'pending', seq: Number(seq) };
    },
    async dueNotices(ref, req): Promise<PendingNotice[]> {
      if (req.limit <= 0) return [];
      const flat = await client.zrangebyscore(
        k(ref).pending,
        '-inf',
        req.throughSeq,
        'WITHSCORES',
        'LIMIT',
        0,
        req.limit,
      );
      const out: PendingNotice[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ identityHash: flat[i]!, seq: Number(flat[i + 1]) });
      return out;
    },
    async markSent(ref, req) {
      if (req.identityHashes.length === 0) return 0;
      const { pending, sent } = k(ref);
      return Number(await client.wrNoticeMarkSent(pending, sent, req.nowMs, req.keepMs, ...req.identityHashes));
    },
    // The client belongs to the waiting room's store, which closes it.
    async close() {},
  };
}
