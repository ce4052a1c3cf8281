--[[ complete.lua: the booking completed; the admission ends and the identity cannot rejoin.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)   KEYS[3] active (ZSET)
ARGV[1] person field
ARGV[2] now_ms  server time, epoch ms
Returns
  {'missing-state'}
  {'unknown'}        no record
  {'not-admitted'}   the person is still waiting
  {'ok'}             state is now D (also when it already was: idempotent). An expired admission
                     whose booking nevertheless committed is also marked D: the booking decides. ]]
--#include lib
local meta, people, active = KEYS[1], KEYS[2], KEYS[3]
local field, now_ms = ARGV[1], tonumber(ARGV[2])
if not is_open_meta(meta) then return {'missing-state'} end
local p = person_get(people, field)
if not p then return {'unknown'} end
if p.st == 'W' then return {'not-admitted'} end
p.st = 'D'
person_put(people, field, p, now_ms)
redis.call('ZREM', active, field)
return {'ok'}
