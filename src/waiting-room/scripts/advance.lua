--[[ advance.lua: admit the next seqs of one partition.
KEYS[1] meta (HASH)   KEYS[2] pre (ZSET)   KEYS[3] reached (ZSET)
ARGV[1] count        seqs to admit (integer ≥ 0)
ARGV[2] now_ms       server time, epoch ms
ARGV[3] opens_at_ms  campaign opening instant, epoch ms
ARGV[4] grace_ms     ms a reached seq may still be claimed
Returns
  {'missing-state'}
  {'not-open'}                       before the opening instant nothing is admitted
  {'ok', advanced, cursor, tail}     cursor = min(cursor + count, tail)
Each advance adds "cursor:now_ms" to KEYS[3] scored by the new cursor, so a claim can find when
its seq was reached. Entries older than the grace period are dropped (at most 64 per call; never
the newest) and the grace floor rises to the dropped cursor: every seq at or below it has had its
grace period. ]]
--#include lib
local meta, pre, reached = KEYS[1], KEYS[2], KEYS[3]
local count, now_ms = math.max(0, math.floor(tonumber(ARGV[1]))), tonumber(ARGV[2])
local opens_at_ms, grace_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
if not is_open_meta(meta) then return {'missing-state'} end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)
if not frozen then return {'not-open'} end
local cursor = meta_num(meta, 'cursor')
local tail = frozen + meta_num(meta, 'n')
local next_cursor = math.min(cursor + count, tail)
local advanced = next_cursor - cursor
if advanced > 0 then
  redis.call('HSET', meta, 'cursor', next_cursor)
  redis.call('ZADD', reached, next_cursor, string.format('%d:%d', next_cursor, now_ms))
end
for _ = 1, 64 do
  if redis.call('ZCARD', reached) <= 1 then break end
  local first = redis.call('ZRANGE', reached, 0, 0, 'WITHSCORES')
  local at_ms = tonumber(string.match(first[1], ':(%d+)$'))
  if at_ms + grace_ms >= now_ms then break end
  redis.call('ZREMRANGEBYRANK', reached, 0, 0)
  redis.call('HSET', meta, 'graceFloor', first[2])
end
return {'ok', advanced, math.max(cursor, next_cursor), tail}
