/**
 * A restarted worker fails only the attempts of a worker it knows to be dead: one of this host, boot and
 * pid namespace whose pid runs no process or another one. Anything it cannot be sure of is left to the
 * heartbeat timeout.
 */
import * as os from 'node:os';
import { workerGone, workerIdentity } from '../../src/runtime/takeover';

const self = { pid: 4242, host: os.hostname(), boot: '0f1e2d3c-aaaa-bbbb-cccc-123456789abc', pidNamespace: '4026531836', start: '777' };
const identity = (changes: Partial<typeof self> = {}) => workerIdentity({ ...self, ...changes });
/** The processes of this imaginary machine: pid → start time. */
const running = (processes: Record<number, string>) => (pid: number) => processes[pid];

test('a worker whose pid runs no process any more, or another process, is gone', () => {
  expect(workerGone(identity({ pid: 1234 }), self, running({}))).toBe(true);
  expect(workerGone(identity({ pid: 1234 }), self, running({ 1234: '999' }))).toBe(true);
});

test('a worker whose process still runs is not gone, this one included', () => {
  expect(workerGone(identity({ pid: 1234 }), self, running({ 1234: '777' }))).toBe(false);
  expect(workerGone(workerIdentity(), undefined)).toBe(false);
  expect(workerGone(workerIdentity())).toBe(false);
});

test('a worker of another host, boot or pid namespace, or of an identity without a process stamp, is left to the timeout', () => {
  const none = running({});
  expect(workerGone(identity({ host: 'elsewhere' }), self, none)).toBe(false);
  expect(workerGone(identity({ boot: '11111111-2222-3333-4444-555555555555' }), self, none)).toBe(false);
  expect(workerGone(identity({ pidNamespace: '4026532000' }), self, none)).toBe(false);
  expect(workerGone(`1234@${os.hostname()}`, self, none)).toBe(false);
  expect(workerGone('', self, none)).toBe(false);
});
