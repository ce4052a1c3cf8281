--[[ reinsert.lua: put a person back from their signed ticket after a loss.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)   KEYS[3] pre (ZSET)
ARGV[1] person field
ARGV[2] device tag
ARGV[3] seq          the ticket's seq, or -1
ARGV[4] pre score    the ticket's pre-room score (decimal string), or -1
ARGV[5] now_ms       server time, epoch ms
ARGV[6] opens_at_ms  campaign opening instant, epoch ms
Returns
  {'missing-state'}
  {'bad-place'}               neither a usable seq nor a score
  {'present', seq, pre}       a record exists; returned unchanged (seq -1 if unresolved)
  {'reinserted', seq, pre}    seq -1 when put back into an unfrozen pre-room
A seq above the tail raises the tail (n) to it, so later joins come behind. A pre-room ticket
after the freeze, with the ranks lost, gets seq = clamp(ceil(score / 2^48 × frozen), 1, frozen):
monotonic in the score, so pre-room order is kept (ties possible). ]]
--#include lib
local meta, people, pre = KEYS[1], KEYS[2], KEYS[3]
local field, dev = ARGV[1], ARGV[2]
local seq, score = tonumber(ARGV[3]), ARGV[4]
local now_ms, opens_at_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
if not is_open_meta(meta) then return {'missing-state'} end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)
local p = person_get(people, field)
if p then
  return {'present', or_none(resolve_seq(meta, people, pre, field, p, frozen, now_ms)), or_none(p.pre)}
end
local pre_score = nil
if score ~= '-1' then pre_score = score end
local place
if seq >= 1 and frozen then
  place = string.format('%d', seq)
elseif pre_score and not frozen then
  place = 'P'
  redis.call('ZADD', pre, pre_score, field)
elseif pre_score and frozen then
  seq = quantile_seq(pre_score, frozen)
  place = string.format('%d', seq)
else
  return {'bad-place'}
end
person_put(people, field, { seq = place, dev = dev, st = 'W', lock = 0, pre = pre_score }, now_ms)
if place ~= 'P' then
  local n = meta_num(meta, 'n')
  if seq > (frozen or 0) + n then redis.call('HSET', meta, 'n', seq - (frozen or 0)) end
end
if place == 'P' then return {'reinserted', -1, pre_score} end
return {'reinserted', seq, or_none(pre_score)}
