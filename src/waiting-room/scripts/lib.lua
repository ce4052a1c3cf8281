--[[ lib.lua: helpers pasted by redis-store.ts into each script at its "--#include lib" line.
Not a script of its own. Person record, one HASH field per identity:
  "seq:dev:state" + optional ":lock" + optional ":pre"
  seq   decimal, or "P" while unresolved in a pre-room that has not been ranked
  dev   11-char device tag (base64url, never contains ':')
  state W waiting | A admitted | D completed | X expired
  lock  epoch ms until which other devices are refused; empty when none
  pre   pre-room score as given by the server (decimal string, kept verbatim); absent for
        places taken after opening
Numbers are kept below 1e14 wherever Lua formats them (Lua 5.1 prints with %.14g); pre-room
scores (< 2^48) are never formatted by Lua, only copied as strings. ]]

local function split(v)
  local out, from = {}, 1
  while true do
    local at = string.find(v, ':', from, true)
    if not at then out[#out + 1] = string.sub(v, from); return out end
    out[#out + 1] = string.sub(v, from, at - 1)
    from = at + 1
  end
end

local function person_get(people, field)
  local v = redis.call('HGET', people, field)
  if not v then return nil end
  local t = split(v)
  local pre = t[5]
  if pre == '' then pre = nil end
  return { seq = t[1], dev = t[2], st = t[3], lock = tonumber(t[4] or '') or 0, pre = pre }
end

local function person_put(people, field, p, now_ms)
  local lock = ''
  if p.lock > now_ms then lock = string.format('%d', p.lock) end
  local v = p.seq .. ':' .. p.dev .. ':' .. p.st
  if p.pre then v = v .. ':' .. lock .. ':' .. p.pre
  elseif lock ~= '' then v = v .. ':' .. lock end
  redis.call('HSET', people, field, v)
end

-- The pre-room's size: after a restore that lost the pre-room set, at least the checkpointed one.
local function pre_room_size(meta, pre)
  return math.max(redis.call('ZCARD', pre), tonumber(redis.call('HGET', meta, 'preFloor') or '0'))
end

-- The frozen pre-room size, freezing it now if the opening instant has come; false before it.
local function freeze_if_open(meta, pre, now_ms, opens_at_ms)
  local frozen = redis.call('HGET', meta, 'frozen')
  if frozen then return tonumber(frozen) end
  if now_ms < opens_at_ms then return false end
  local size = pre_room_size(meta, pre)
  redis.call('HSET', meta, 'frozen', size)
  return size
end

-- A pre-room score's place when exact ranks are unavailable: monotonic in the score.
local function quantile_seq(score, frozen)
  return math.max(1, math.min(frozen, math.ceil((tonumber(score) / 2 ^ 48) * frozen)))
end

-- The person's seq; resolves (and stores) a pre-room place once the pre-room is frozen: the rank
-- of the score, or its quantile if the pre-room set was lost (meta preLost), for everyone alike.
local function resolve_seq(meta, people, pre, field, p, frozen, now_ms)
  if p.seq ~= 'P' then return tonumber(p.seq) end
  if not frozen then return nil end
  local seq
  if redis.call('HEXISTS', meta, 'preLost') == 1 then
    seq = quantile_seq(p.pre, frozen)
  else
    seq = (redis.call('ZRANK', pre, field) or 0) + 1
  end
  p.seq = string.format('%d', seq)
  person_put(people, field, p, now_ms)
  return seq
end

local function meta_num(meta, field)
  return tonumber(redis.call('HGET', meta, field) or '0')
end

-- Admission expiry (epoch ms) if the admission is still live, else nil.
local function live_admission(active, field, now_ms)
  local exp = tonumber(redis.call('ZSCORE', active, field) or '')
  if exp and exp > now_ms then return exp end
  return nil
end

local function expire_person(people, active, field, p, now_ms)
  p.st = 'X'
  person_put(people, field, p, now_ms)
  redis.call('ZREM', active, field)
end

local function is_open_meta(meta)
  return redis.call('HEXISTS', meta, 'init') == 1
end

-- -1 stands for "none" in replies (a nil would truncate a Lua array reply).
local function or_none(v)
  if v == nil or v == false then return -1 end
  return v
end

-- One identity's join (join.lua, and each entry of join-many.lua): count it against the identity's
-- window, then take a place or give back the one held. Returns join.lua's reply for this person.
-- joins_key: the identity's join counter; max_joins 0: not counted.
local function join_one(meta, people, pre, active, joins_key, field, dev, now_ms, opens_at_ms, score, lockout_ms, max_joins, window_ms)
  if max_joins > 0 then
    local count, ends = 0, 0
    local c = redis.call('GET', joins_key)
    if c then
      local at = string.find(c, ':', 1, true)
      count, ends = tonumber(string.sub(c, 1, at - 1)), tonumber(string.sub(c, at + 1))
    end
    if ends <= now_ms then count, ends = 0, now_ms + window_ms end
    count = count + 1
    redis.call('SET', joins_key, string.format('%d:%d', count, ends), 'PX', ends - now_ms)
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
end
