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
After opening seq = frozen + HINCRBY n. The steps are join_one in lib.lua (join-many.lua runs them per entry). ]]
--#include lib
if not is_open_meta(KEYS[1]) then return {'missing-state'} end
return join_one(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]),
  ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
