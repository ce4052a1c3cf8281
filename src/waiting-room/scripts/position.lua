--[[ position.lua: one person's place with the partition's cursor and tail.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)   KEYS[3] pre (ZSET)
ARGV[1] person field
ARGV[2] now_ms       server time, epoch ms
ARGV[3] opens_at_ms  campaign opening instant, epoch ms
Returns
  {'missing-state'}
  {'unknown'}                                    no record for this identity
  {'ok', seq, pre, state, cursor, tail}          seq -1 while in an unfrozen pre-room; pre -1 if none
Writes only to freeze the pre-room at opening and to store a resolved pre-room rank. ]]
--#include lib
local meta, people, pre = KEYS[1], KEYS[2], KEYS[3]
local field, now_ms, opens_at_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if not is_open_meta(meta) then return {'missing-state'} end
local frozen = freeze_if_open(meta, pre, now_ms, opens_at_ms)
local p = person_get(people, field)
if not p then return {'unknown'} end
local seq = resolve_seq(meta, people, pre, field, p, frozen, now_ms)
local tail = (frozen or 0) + meta_num(meta, 'n')
return {'ok', or_none(seq), or_none(p.pre), p.st, meta_num(meta, 'cursor'), tail}
