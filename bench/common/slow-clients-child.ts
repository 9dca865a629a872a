/**
 * One process of a slow-client fleet (slow-fleet.ts): the open-file limit is per process and
 * cannot be raised without privileges, so 20,000 connections are spread over several of these.
 * Messages: {start: {...}} → runs SlowClients; {stop: true} → answers its result and exits;
 * {size: true} → answers the number of open connections.
 */
import { SlowClients } from './slow-clients.js';

let slow: SlowClients | undefined;
process.on('message', (m: { start?: { port: number; addresses: string[]; count: number; mode: 'headers' | 'body'; intervalMs: number }; stop?: boolean; size?: boolean }) => {
  if (m.start) slow = new SlowClients(m.start.port, m.start.addresses, m.start.count, m.start.mode, m.start.intervalMs).start();
  if (m.size) process.send!({ size: slow?.size() ?? 0 });
  if (m.stop) {
    const result = slow?.stop();
    process.send!({ result }, () => process.exit(0));
  }
});
