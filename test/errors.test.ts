/** One error root: every error class stoke raises is a StokeError with a code, and the CLI prints its message alone. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StokeError } from '../src/errors';
import { TemplateInvalidError } from '../src/template/load';
import { FunctionError } from '../src/template/functions';
import { UserDataError } from '../src/resources/servers/user-data';
import { stoke } from './helpers';

const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

test.each([
  ['TemplateInvalidError', new TemplateInvalidError([{ path: 'resources', message: 'bad' }]), 'TemplateInvalid'],
  ['FunctionError', new FunctionError('outputs.x.value', 'bad'), 'InvalidFunction'],
  ['UserDataError', new UserDataError('bad'), 'UserDataInvalid'],
])('%s is a StokeError with a stable code', (_name, err, code) => {
  expect(err).toBeInstanceOf(StokeError);
  expect(StokeError.isStokeError(err)).toBe(true);
  expect(err.code).toBe(code);
});

test('no error class in src extends Error but the root', () => {
  const offenders = sourceFiles(SRC).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/class (\w+) extends (\w*Error)\b/g)]
      .filter(([, name, base]) => base === 'Error' && name !== 'StokeError')
      .map(([, name]) => `${path.relative(SRC, file)}: ${name}`));
  expect(offenders).toEqual([]);
});

test('no plain Error is thrown to users from src', () => {
  const offenders = sourceFiles(SRC).flatMap((file) =>
    fs.readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (/\bnew Error\(/.test(line) ? [`${path.relative(SRC, file)}:${i + 1}`] : [])));
  expect(offenders).toEqual([]);
});

test('the CLI prints a StokeError as its message alone and exits 1', () => {
  const result = stoke('stack', 'show', '1-not-a-name');
  expect(result).toMatchObject({
    status: 1,
    stderr: "ERROR: invalid stack name '1-not-a-name': it must start with a letter and contain only letters, digits, '_', '-' and '.'\n",
  });
});
