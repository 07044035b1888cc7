/** One reading of Docker's errors for containers, servers and networks. */
import { classifyDockerError } from '../../activities/docker';

const answer = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message}`), { statusCode, json: { message } });
const socket = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

test('404 is gone and 409 a conflict, whatever the words', () => {
  expect(classifyDockerError(answer(404, 'No such container: abc'))).toBe('gone');
  expect(classifyDockerError(answer(404, 'network x not found'))).toBe('gone');
  expect(classifyDockerError(answer(409, 'Conflict. The container name "/web" is already in use'))).toBe('conflict');
  expect(classifyDockerError(answer(409, 'removal of container abc is already in progress'))).toBe('conflict');
});

test('other rejections, and 500s naming a cause no retry changes, are permanent', () => {
  expect(classifyDockerError(answer(400, 'invalid reference format'))).toBe('permanent');
  expect(classifyDockerError(answer(403, 'error while removing network: network x has active endpoints'))).toBe('permanent');
  expect(classifyDockerError(answer(500, 'driver failed programming external connectivity: Bind for 0.0.0.0:80 failed: port is already allocated'))).toBe('permanent');
  expect(classifyDockerError(answer(500, 'OCI runtime create failed: exec: "nope": executable file not found in $PATH'))).toBe('permanent');
  expect(classifyDockerError(socket('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('permanent');
  expect(classifyDockerError(socket('SELF_SIGNED_CERT_IN_CHAIN'))).toBe('permanent');
});

test('an engine restarting, refusing or not reachable yet is retried', () => {
  expect(classifyDockerError(answer(500, 'failed to update store for object type *libnetwork.endpoint: no such file or directory'))).toBe('retryable');
  expect(classifyDockerError(answer(500, 'context deadline exceeded'))).toBe('retryable');
  expect(classifyDockerError(answer(503, 'engine is shutting down'))).toBe('retryable');
  expect(classifyDockerError(socket('ECONNREFUSED'))).toBe('retryable');
  expect(classifyDockerError(socket('ENOENT'))).toBe('retryable');
  expect(classifyDockerError(new Error('socket hang up'))).toBe('retryable');
});
