--[[ reopen.lua: the person's own booking was cancelled; they may queue again, at the back.
KEYS[1] meta (HASH)   KEYS[2] people (HASH)
ARGV[1] person field
ARGV[2] now_ms  server time, epoch ms
Returns
  {'missing-state'}
  {'unknown'}        no record (a join then places them as a new arrival anyway)
  {'not-completed'}  the person holds a place or an admission, or already lost it: nothing to reopen
  {'ok'}             state D is now X (expired): the next join takes a new place at the back. The
                     device tag and any lock-out stay, so "one device per person" still holds. ]]
--#include lib
local meta, people = KEYS[1], KEYS[2]
local field, now_ms = ARGV[1], tonumber(ARGV[2])
if not is_open_meta(meta) then return {'missing-state'} end
local p = person_get(people, field)
if not p then return {'unknown'} end
if p.st ~= 'D' then return {'not-completed'} end
p.st = 'X'
person_put(people, field, p, now_ms)
return {'ok'}
