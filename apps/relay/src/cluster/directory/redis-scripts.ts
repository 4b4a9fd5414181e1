/**
 * Lua scripts of the Redis directory.
 *
 * Why scripts: each of these is a read-modify-write ("set only if the owner is …"). Done as GET
 * then SET from Node, two pods could both read "no owner" and both win; WATCH/MULTI would retry
 * under contention. A script runs atomically in Redis's single thread, in one round trip, so a
 * claim race has exactly one winner and a pod can never refresh or delete another pod's entry.
 *
 * Values are pod names only; room entries are keyed by HMAC room keys (see room-key.ts). Scripts
 * touch only the keys passed in KEYS, so they stay valid on Redis Cluster when the key prefix
 * carries a hash tag (e.g. `{nullroom}:`), which puts every directory key in one slot.
 */

/**
 * KEYS[1] room entry · ARGV[1] podId · ARGV[2] ttl ms
 * → {1} owned (set or refreshed) | {0, owner}
 */
export const CLAIM_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
return {0, owner}
`;

/**
 * Compare-and-set for a room that moves to the ring pod.
 * KEYS[1] room entry · ARGV[1] fromPodId · ARGV[2] toPodId · ARGV[3] ttl ms
 * → {1} now owned by toPodId | {0, owner} a third pod owns it
 */
export const TAKEOVER_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] or owner == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {1}
end
return {0, owner}
`;

/**
 * Batch lease renewal: one script call per chunk of keys instead of one round trip per room.
 * Absent keys are set again (Redis keeps nothing across a restart, the pod still has the room);
 * keys of another pod are left alone.
 * KEYS room entries · ARGV[1] podId · ARGV[2] ttl ms
 * → {lostIndexes, reclaimedIndexes} (1-based positions in KEYS)
 */
export const REFRESH_SCRIPT = `
local lost, reclaimed = {}, {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  elseif owner == false then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    reclaimed[#reclaimed + 1] = i
  else
    lost[#lost + 1] = i
  end
end
return {lost, reclaimed}
`;

/**
 * Deletes only entries still owned by the caller: a draining pod must not delete a room that
 * another pod claimed meanwhile.
 * KEYS room entries · ARGV[1] podId → number deleted
 */
export const RELEASE_SCRIPT = `
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
`;

/**
 * Pod registration. The address lives in its own key with a TTL; the sorted set is only an index
 * (member podId, score = expiry in Redis server time, so pod clocks never matter) that lets
 * pods() read O(pods) keys instead of SCANning a keyspace made mostly of room entries. Expired
 * members are trimmed here, and the index itself expires with its longest-lived member, so no
 * directory key lives without a TTL.
 * KEYS[1] pod entry · KEYS[2] pod index · ARGV[1] podId · ARGV[2] address (or '' to keep) ·
 * ARGV[3] ttl ms → 1 registered/refreshed | 0 entry was gone (refresh only)
 */
export const REGISTER_POD_SCRIPT = `
local ttl = tonumber(ARGV[3])
if ARGV[2] == '' then
  if redis.call('PEXPIRE', KEYS[1], ttl) == 0 then
    redis.call('ZREM', KEYS[2], ARGV[1])
    return 0
  end
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], last[2])
return 1
`;
