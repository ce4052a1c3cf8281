--[[ join.lua: count the identity's join, then take a place in one partition, or get back the place already held.
KEYS[1] meta    (HASH)   KEYS[2] people (HASH)   KEYS[3] pre (ZSET)   KEYS[4] active (ZSET)
KEYS[5] joins   (STRING) "count:window_ends_ms", this identity's joins in the current window
ARGV[1] person field (22 chars)
ARGV[2] device tag (11 chars)
ARGV[3] now_ms       server time, epoch ms
ARGV[4] opens_at_ms  campaign opening instant, epoch ms
ARGV[5] pre score    integer in [0, 2^48) drawn by the server, decimal (read only before opening)
ARGV[6] lockout_ms   ms other devices are refused after one is turned away
ARGV[7] max joins    per identity per window, every outcome below counted (0: not counted)
ARGV[8] window_ms    length of a counting window; a window starts at the first join after the last one ended
Returns
  {'missing-state'}                           no metadata (never opened or lost): restore first (not counted)
  {'too-many-joins', window_ends_ms}          over ARGV[7] in this window: nothing else read or changed
  {'new', seq, pre}                           new place; seq -1 while in the pre-room; pre -1 after opening
  {'rejoined', seq, pre}                      same device, same place (idempotent)
  {'admitted', seq, pre, expires_at_ms}       same device already holds a live admission
  {'other-device', locked_until_ms}           another device holds a place/admission, or lock-out
  {'completed'}                               this identity already booked in this campaign
Before opening the place goes to the pre-room ZSET scored by ARGV[5]; arrival time plays no part.
After opening seq = frozen + HINCRBY n. ]]
--#include lib
local meta, people, pre, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local field, dev = ARGV[1], ARGV[2]
local now_ms, opens_at_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local score, lockout_ms = ARGV[5], tonumber(ARGV[6])
if not is_open_meta(meta) then return {'missing-state'} end
local max_joins = tonumber(ARGV[7])
if max_joins > 0 then
  local count, ends = 0, 0
  local c = redis.call('GET', KEYS[5])
  if c then
    local at = string.find(c, ':', 1, true)
    count, ends = tonumber(string.sub(c, 1, at - 1)), tonumber(string.sub(c, at + 1))
  end
  if ends <= now_ms then count, ends = 0, now_ms + tonumber(ARGV[8]) end
  count = count + 1
  redis.call('SET', KEYS[5], string.format('%d:%d', count, ends), 'PX', ends - now_ms)
  if count > max_joins then return {'too-many-joins', ends} end
end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)

local p = person_get(people, field)
local lock = 0
if p then
  if p.st == 'A' and not live_admission(active, field, now_ms) then expire_person(people, active, field, p, now_ms) end
  if p.dev ~= dev and (p.st == 'W' or p.st == 'A' or p.lock > now_ms) then
    p.lock = math.max(p.lock, now_ms + lockout_ms)
    person_put(people, field, p, now_ms)
    return {'other-device', p.lock}
  end
  if p.st == 'D' then return {'completed'} end
  if p.st == 'W' then
    return {'rejoined', or_none(resolve_seq(meta, people, pre, field, p, frozen, now_ms)), or_none(p.pre)}
  end
  if p.st == 'A' then
    local seq = resolve_seq(meta, people, pre, field, p, frozen, now_ms) or 0
    return {'admitted', seq, or_none(p.pre), live_admission(active, field, now_ms)}
  end
  if p.lock > now_ms then lock = p.lock end
end

if not frozen then
  redis.call('ZADD', pre, score, field)
  person_put(people, field, { seq = 'P', dev = dev, st = 'W', lock = lock, pre = score }, now_ms)
  return {'new', -1, score}
end
local seq = frozen + redis.call('HINCRBY', meta, 'n', 1)
person_put(people, field, { seq = string.format('%d', seq), dev = dev, st = 'W', lock = lock }, now_ms)
return {'new', seq, -1}
