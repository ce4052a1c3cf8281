--[[ join-many.lua: the joins of several identities in one partition, in the order given, each exactly as join.lua would do it.
KEYS[1] meta    (HASH)   KEYS[2] people (HASH)   KEYS[3] pre (ZSET)   KEYS[4] active (ZSET)
KEYS[5..4+N]    (STRING) entry i's join counter (the key join.lua takes fifth), in the partition's hash tag
ARGV[1] now_ms       server time, epoch ms, for every entry
ARGV[2] opens_at_ms  campaign opening instant, epoch ms
then 6 per entry i (from ARGV[3 + 6(i-1)]):
  person field (22 chars), device tag (11 chars), pre score (decimal, read only before opening),
  lockout_ms, max joins per window (0: not counted), window_ms
Returns
  {'missing-state'}                           no metadata (never opened or lost): nothing read, counted or changed
  {'ok', r1, ..., rN}                         ri is join.lua's reply for entry i: {'too-many-joins', window_ends_ms},
                                              {'new', seq, pre}, {'rejoined', seq, pre}, {'admitted', seq, pre, expires_at_ms},
                                              {'other-device', locked_until_ms} or {'completed'}
Entries run one after another in one script: a later entry sees what an earlier one wrote (the same
identity twice is one place, then a re-join). Every reply is in Redis before any is sent. ]]
--#include lib
local meta, people, pre, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if not is_open_meta(meta) then return {'missing-state'} end
local now_ms, opens_at_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {'ok'}
for i = 1, #KEYS - 4 do
  local a = 3 + 6 * (i - 1)
  out[i + 1] = join_one(meta, people, pre, active, KEYS[4 + i], ARGV[a], ARGV[a + 1], now_ms, opens_at_ms,
    ARGV[a + 2], tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]))
end
return out
