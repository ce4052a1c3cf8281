--[[ stats.lua: one partition's counters.
KEYS[1] meta (HASH)   KEYS[2] pre (ZSET)   KEYS[3] active (ZSET)
ARGV[1] now_ms       server time, epoch ms
ARGV[2] opens_at_ms  campaign opening instant, epoch ms
Returns
  {'missing-state'}
  {'ok', cursor, tail, frozen, pre_room, active_sessions, claimed_total, grace_floor}
     frozen -1 before opening; pre_room at least the checkpointed size after a restore that lost the
     pre-room set (the size it will freeze at); active_sessions counts admissions expiring after now_ms.
Writes only to freeze the pre-room at opening. ]]
--#include lib
local meta, pre, active = KEYS[1], KEYS[2], KEYS[3]
local now_ms, opens_at_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
if not is_open_meta(meta) then return {'missing-state'} end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)
local tail = (frozen or 0) + meta_num(meta, 'n')
return {
  'ok', meta_num(meta, 'cursor'), tail, or_none(frozen), pre_room_size(meta, pre),
  redis.call('ZCOUNT', active, '(' .. string.format('%d', now_ms), '+inf'),
  meta_num(meta, 'claimed'), meta_num(meta, 'graceFloor'),
}
