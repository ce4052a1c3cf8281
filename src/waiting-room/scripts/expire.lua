--[[ expire.lua: end admissions whose time is up.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)   KEYS[3] active (ZSET)
ARGV[1] now_ms  server time, epoch ms
ARGV[2] limit   most admissions to end in this call
Returns
  {'missing-state'}
  {'ok', count}   admissions with expiry ≤ now_ms, oldest first, now state X and out of KEYS[3] ]]
--#include lib
local meta, people, active = KEYS[1], KEYS[2], KEYS[3]
local now_ms, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if not is_open_meta(meta) then return {'missing-state'} end
local due = redis.call('ZRANGEBYSCORE', active, '-inf', now_ms, 'LIMIT', 0, limit)
for _, field in ipairs(due) do
  local p = person_get(people, field)
  if p and p.st == 'A' then p.st = 'X'; person_put(people, field, p, now_ms) end
  redis.call('ZREM', active, field)
end
return {'ok', #due}
