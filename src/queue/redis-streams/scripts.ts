/**
 * Lua scripts of the Redis Streams queue. Each touches the keys of one partition only (same hash
 * tag, so one Redis Cluster slot) and runs atomically, which keeps a partition's stream and its
 * line counter consistent across crashes, retries and AOF replay.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS: entries stream, lines counter. ARGV: line count, then the entry's field/value pairs.
 * Appends one entry and counts its lines; returns `{entry id, lines now in the partition}`.
 */
export const APPEND = script(`
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
local total = redis.call('INCRBY', KEYS[2], ARGV[1])
return {id, total}
`);

/**
 * KEYS: entries stream, lines counter. ARGV: group, then (entry id, line count) pairs.
 * Acknowledges each entry and deletes it from the stream (so Redis memory is bounded by the
 * backlog, not by history); only an entry this call acknowledged first is uncounted, so a
 * redelivered entry acknowledged twice is counted once. Returns the lines left in the partition.
 */
export const ACK = script(`
local dec = 0
for i = 2, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    dec = dec + tonumber(ARGV[i + 1])
  end
end
local total = redis.call('DECRBY', KEYS[2], dec)
if total < 0 then
  redis.call('SET', KEYS[2], 0)
  total = 0
end
return total
`);

/**
 * KEYS: entries stream. ARGV: group, idle threshold (ms), own consumer name.
 * Removes consumers that hold nothing pending and have not read for longer than the threshold
 * (processors that died after their entries were claimed), so the group's consumer list does not
 * grow with every crash. Checking and deleting in one script means no consumer can read an entry
 * in between (XGROUP DELCONSUMER drops the pending entries of the consumer it deletes). A live
 * consumer removed this way is recreated by its next read. Returns how many were removed.
 */
export const PRUNE_CONSUMERS = script(`
local removed = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if f['name'] ~= ARGV[3] and tonumber(f['pending']) == 0 and tonumber(f['idle']) > tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    removed = removed + 1
  end
end
return removed
`);

/** Runs a script by its SHA1, loading it on `NOSCRIPT` (a restarted Redis has an empty script cache). */
export async function runScript(redis: Redis, s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(s.source, keys.length, ...keys, ...args);
  }
}
