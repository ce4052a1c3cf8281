--[[ restore.lua: recreate lost metadata from a checkpoint; a no-op if metadata exists.
KEYS[1] meta (HASH)   KEYS[2] reached (ZSET)
ARGV[1] cursor        last admitted seq
ARGV[2] n             joins after opening (tail − frozen)
ARGV[3] frozen        pre-room size at opening, -1 if not yet opened
ARGV[4] claimed       first claims so far
ARGV[5] grace_floor   seqs at or below it stay expired
ARGV[6] now_ms        server time, epoch ms (start of the fresh grace period)
ARGV[7] pre_floor     the pre-room size the checkpoint saw, 0 if none was lost
Returns
  {'present'}    metadata exists (another server restored first, or nothing was lost)
  {'restored'}
Seqs above the grace floor and up to the cursor are marked reached at now_ms, so those who were
reached just before the loss get a whole grace period to come back. A pre-room lost before it was
frozen (pre_floor > 0) freezes at no less than pre_floor, and every pre-room place is then given
by its score's quantile (preLost), since the exact ranks are gone. ]]
local meta, reached = KEYS[1], KEYS[2]
if redis.call('HSETNX', meta, 'init', 1) == 0 then return {'present'} end
redis.call('HSET', meta, 'cursor', ARGV[1], 'n', ARGV[2], 'claimed', ARGV[4],
  'graceFloor', ARGV[5], 'restoredAtMs', ARGV[6])
if tonumber(ARGV[3]) >= 0 then redis.call('HSET', meta, 'frozen', ARGV[3]) end
if tonumber(ARGV[7]) > 0 then redis.call('HSET', meta, 'preLost', 1, 'preFloor', ARGV[7]) end
if tonumber(ARGV[1]) > 0 then
  redis.call('DEL', reached)
  redis.call('ZADD', reached, ARGV[1], ARGV[1] .. ':' .. ARGV[6])
end
return {'restored'}
