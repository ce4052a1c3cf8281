--[[ open-queue.lua: create a partition's metadata if it has none (a brand-new queue).
KEYS[1] meta  (HASH)
ARGV    none
Returns
  {'created'}  metadata written: cursor 0, no joins, not frozen
  {'exists'}   metadata was already there; nothing changed
The service calls this only when the campaign has no checkpoint; after a Redis loss it calls
restore.lua instead, so a lost queue never silently restarts from seq 1. ]]
if redis.call('HSETNX', KEYS[1], 'init', 1) == 0 then return {'exists'} end
redis.call('HSET', KEYS[1], 'cursor', 0, 'n', 0, 'claimed', 0, 'graceFloor', 0)
return {'created'}
