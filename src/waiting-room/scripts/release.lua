--[[ release.lua: the holder gives up a place or an admission.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)   KEYS[3] pre (ZSET)   KEYS[4] active (ZSET)
ARGV[1] person field
ARGV[2] device tag
ARGV[3] now_ms       server time, epoch ms
ARGV[4] opens_at_ms  campaign opening instant, epoch ms
Returns
  {'missing-state'}
  {'unknown'}
  {'other-device', locked_until_ms}
  {'ok'}   state X; before the freeze a pre-room member also leaves the pre-room set (after it,
           the set must not change or ranks would move). Completed or expired: unchanged. ]]
--#include lib
local meta, people, pre, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local field, dev = ARGV[1], ARGV[2]
local now_ms, opens_at_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
if not is_open_meta(meta) then return {'missing-state'} end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)
local p = person_get(people, field)
if not p then return {'unknown'} end
if p.dev ~= dev then return {'other-device', p.lock} end
if p.st == 'W' or p.st == 'A' then
  if p.seq == 'P' and not frozen then redis.call('ZREM', pre, field) end
  expire_person(people, active, field, p, now_ms)
end
return {'ok'}
