import * as fs from 'node:fs';
import { bootScript, cloudConfigScript, mimeParts, multipartMime, UserDataError } from '../../src/resources/servers/user-data';
import { DOCKER_HOST_IMAGE, loadCatalog } from '../../src/runtime/catalog';
import { fillInputs } from '../../src/resources/servers/software';
import { tempDir } from '../helpers';

test('a #! script runs as is; empty and unmarked text run nothing, as with cloud-init', () => {
  expect(bootScript('#!/bin/bash\necho hi\n')).toBe('#!/bin/bash\necho hi\n');
  expect(bootScript('')).toBe('');
  expect(bootScript('just some words')).toBe('');
});

test('#include and unknown cloud-config keys are refused with the reason', () => {
  expect(() => bootScript('#include https://get.docker.io')).toThrow(UserDataError);
  expect(() => bootScript('#include https://get.docker.io')).toThrow(/reach no network beyond this machine/);
  expect(() => cloudConfigScript('#cloud-config\nusers: [bob]\n')).toThrow(/keys not supported on stoke's servers: users/);
});

test('cloud-config becomes shell steps in cloud-init order', () => {
  const script = cloudConfigScript('#cloud-config\nruncmd: [[echo, "it\'s"], "touch /x"]\nwrite_files: [{path: /etc/a, content: hi, permissions: "0600"}]\nbootcmd: [date]\n');
  const lines = script.split('\n');
  expect(lines[0]).toBe('date');
  expect(lines).toContain(`echo ${"'"}${Buffer.from('hi').toString('base64')}${"'"} | base64 -d > '/etc/a'`);
  expect(lines).toContain(`chmod '0600' '/etc/a'`);
  expect(lines.slice(-2)).toEqual([`'echo' 'it'\\''s'`, 'touch /x']);
});

test('MultipartMime output parses back into its parts, and a multipart user_data runs each', () => {
  const mime = multipartMime([
    { config: '#cloud-config\nruncmd: ["echo one"]\n', type: 'text', subtype: 'cloud-config' },
    { config: '#!/bin/sh\necho two\n', type: 'text' },
  ], '==b==');
  expect(mimeParts(mime).map((p) => p.type)).toEqual(['text/cloud-config', 'text/plain']);
  const script = bootScript(mime);
  expect(script.startsWith('#!/bin/sh\n')).toBe(true);
  expect(script).toContain('echo one');
  expect(script).toContain('echo two');
});

test('structured configs get their get_input values filled in', () => {
  const config = { port: { get_input: 'port' }, list: [{ get_input: 'name' }], keep: { get_input: 'missing' } };
  expect(fillInputs(config, { port: 80, name: 'web' }, 'get_input', false)).toEqual({ port: 80, list: ['web'], keep: { get_input: 'missing' } });
  expect(() => fillInputs(config, { port: 80, name: 'web' }, 'get_input', true)).toThrow(/input 'missing' has no value/);
});

test('the catalog adds STOKE_CATALOG entries over the defaults and names a malformed flavor', () => {
  const file = `${tempDir('stoke-catalog')}/catalog.yaml`;
  fs.writeFileSync(file, 'images: {centos-7: busybox:latest}\nflavors: {m1.custom: {vcpus: 2, ram: 1024}}\n');
  const catalog = loadCatalog({ STOKE_CATALOG: file });
  expect(catalog.images['centos-7']).toBe('busybox:latest');
  expect(catalog.images['fedora-software-config']).toBe(DOCKER_HOST_IMAGE);
  expect(catalog.flavors['m1.custom']).toEqual({ vcpus: 2, ram: 1024 });
  fs.writeFileSync(file, 'flavors: {m1.bad: {vcpus: 2}}\n');
  expect(() => loadCatalog({ STOKE_CATALOG: file })).toThrow(/flavors\.m1\.bad must be \{vcpus: N, ram: MiB\}/);
});

test('stand-ins are the catalog\'s, under stoke\'s own names; STOKE_CATALOG adds NAME:TAG entries and names a malformed one', () => {
  const file = `${tempDir('stoke-catalog')}/catalog.yaml`;
  fs.writeFileSync(file, 'standins: {"acme/db:2": stoke/standin-mysql:latest}\n');
  const catalog = loadCatalog({ STOKE_CATALOG: file });
  expect(catalog.standins['acme/db:2']).toBe('stoke/standin-mysql:latest');
  expect(catalog.standins['larsks/simpleweb:latest']).toBe('stoke/standin-larsks-simpleweb:latest');
  expect(Object.values(catalog.standins).every((image) => image.startsWith('stoke/standin-'))).toBe(true);
  fs.writeFileSync(file, 'standins: {acme/db: stoke/standin-mysql:latest}\n');
  expect(() => loadCatalog({ STOKE_CATALOG: file })).toThrow(/standins\.acme\/db must map NAME:TAG to an image name/);
});
