/**
 * The simulated user store behind GET /api/users: a fixed list, a latency drawn per query and a
 * 2% chance that the "database" fails. The draws come from an injected random source so tests
 * can decide the outcome.
 */

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

export interface User {
  id: number;
  name: string;
  email: string;
}

export const USERS: readonly User[] = [
  { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 2, name: 'Alan Turing', email: 'alan@example.com' },
  { id: 3, name: 'Grace Hopper', email: 'grace@example.com' },
  { id: 4, name: 'Edsger Dijkstra', email: 'edsger@example.com' },
  { id: 5, name: 'Barbara Liskov', email: 'barbara@example.com' },
];

/** Share of queries that fail with `database_error`. */
export const DATABASE_ERROR_RATE = 0.02;
/** Share of queries that take the slow path. */
export const SLOW_QUERY_RATE = 0.05;

export interface QueryPlan {
  /** How long the simulated query takes, in milliseconds. */
  latencyMs: number;
  /** Whether it ends in `database_error`. */
  fails: boolean;
}

/**
 * Decides one query's fate with two draws: the first decides failure (below
 * `DATABASE_ERROR_RATE`), the second the latency. Most queries take 10-150 ms; one in twenty
 * takes 0.5-2 s, so the latency histogram shows a tail across its upper buckets.
 */
export function planUsersQuery(random: Random): QueryPlan {
  const fails = random() < DATABASE_ERROR_RATE;
  const r = random();
  const latencyMs = r < 1 - SLOW_QUERY_RATE ? 10 + (r / (1 - SLOW_QUERY_RATE)) * 140 : 500 + ((r - (1 - SLOW_QUERY_RATE)) / SLOW_QUERY_RATE) * 1500;
  return { latencyMs: Math.round(latencyMs), fails };
}
