--[[ claim.lua: turn a reached place into an admission, atomically; a re-claim returns the same one.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)   KEYS[3] pre (ZSET)   KEYS[4] active (ZSET)
KEYS[5] reached (ZSET)
ARGV[1] person field
ARGV[2] device tag
ARGV[3] now_ms            server time, epoch ms
ARGV[4] opens_at_ms       campaign opening instant, epoch ms
ARGV[5] admission_ttl_ms  lifetime of a new admission, ms
ARGV[6] grace_ms          ms after being reached that a place may still be claimed
ARGV[7] grace_from_ms     optional: epoch ms the holder's turn message went out (0: none); the place
                          may also be claimed until grace_from_ms + grace_ms
Returns
  {'missing-state'}
  {'not-open'}
  {'unknown'}                                  no record for this identity
  {'other-device', locked_until_ms}            the record belongs to another device (0: no lock)
  {'completed'}                                already booked
  {'expired'}                                  reached too long ago, released, or admission expired
  {'not-reached', seq, cursor}
  {'admitted', seq, pre, expires_at_ms, first} first = 1 for a new admission, 0 for the held one
A new admission adds the person to KEYS[4] scored by its expiry and counts HINCRBY claimed. ]]
--#include lib
local meta, people, pre, active, reached = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local field, dev = ARGV[1], ARGV[2]
local now_ms, opens_at_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl_ms, grace_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
local grace_from_ms = tonumber(ARGV[7] or '0') or 0
if not is_open_meta(meta) then return {'missing-state'} end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)
if not frozen then return {'not-open'} end
local p = person_get(people, field)
if not p then return {'unknown'} end
if p.dev ~= dev then return {'other-device', p.lock} end
if p.st == 'D' then return {'completed'} end
if p.st == 'X' then return {'expired'} end
local seq = resolve_seq(meta, people, pre, field, p, frozen, now_ms)
if p.st == 'A' then
  local exp = live_admission(active, field, now_ms)
  if not exp then expire_person(people, active, field, p, now_ms); return {'expired'} end
  return {'admitted', seq, or_none(p.pre), exp, 0}
end
local cursor = meta_num(meta, 'cursor')
if seq > cursor then return {'not-reached', seq, cursor} end
local first = redis.call('ZRANGEBYSCORE', reached, seq, '+inf', 'LIMIT', 0, 1)
local reached_at = first[1] and tonumber(string.match(first[1], ':(%d+)$'))
local is_messaged_in_grace = grace_from_ms > 0 and grace_from_ms + grace_ms >= now_ms
if not is_messaged_in_grace and (seq <= meta_num(meta, 'graceFloor') or not reached_at or reached_at + grace_ms < now_ms) then
  expire_person(people, active, field, p, now_ms)
  return {'expired'}
end
p.st = 'A'
person_put(people, field, p, now_ms)
local exp = now_ms + ttl_ms
redis.call('ZADD', active, exp, field)
redis.call('HINCRBY', meta, 'claimed', 1)
return {'admitted', seq, or_none(p.pre), exp, 1}
