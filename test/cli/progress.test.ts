import { pullBar, WaitView, type Screen } from '../../src/cli/progress';
import { PullTally } from '../../src/resources/docker/handler';
import type { ImagePull } from '../../src/client/client';
import type { StackState, StackStatus } from '../../src/template/types';

function stateWith(resources: Record<string, [StackStatus, string]>): StackState {
  return {
    name: 's', id: 'id', status: 'CREATE_IN_PROGRESS', statusReason: '',
    resources: Object.fromEntries(Object.entries(resources).map(([name, [status, statusReason]]) => [name, { type: 'T', status, statusReason }])),
  } as unknown as StackState;
}

function screen(isTTY: boolean): Screen & { text: string } {
  return { isTTY, columns: 120, text: '', write(text: string) { this.text += text; } };
}

const pull = (downloaded: number, size = 3_000_000): ImagePull => ({ resource: 'web', image: 'app:1', downloaded, size, layers: 2, layersDone: 1 });

test('a pull is drawn as its bytes, a bar and the layer it is at; before any size, its layers alone', () => {
  expect(pullBar(pull(1_500_000))).toBe('pulling app:1  [############............]  1.5 MB / 3.0 MB, layer 2 of 2');
  expect(pullBar({ ...pull(0, 0), layers: 0, layersDone: 0 })).toBe('pulling app:1  starting');
  expect(pullBar({ ...pull(0, 0), layers: 3, layersDone: 0 })).toBe('pulling app:1  layer 1 of 3');
});

test('not on a terminal: a line per status change, and a pull\'s line once per quarter', () => {
  const out = screen(false);
  const view = new WaitView(out);
  const state = stateWith({ web: ['CREATE_IN_PROGRESS', 'state changed'], db: ['INIT_COMPLETE', ''] });
  view.show(state, [pull(100_000)]);
  view.show(state, [pull(200_000)]);
  view.show(state, [pull(800_000)]);
  view.show(stateWith({ web: ['CREATE_COMPLETE', 'state changed'], db: ['INIT_COMPLETE', ''] }), []);
  view.done();
  const lines = out.text.trim().split('\n').map((line) => line.replace(/^ *[\d.]+s {2}/, ''));
  expect(lines).toEqual([
    'web  CREATE_IN_PROGRESS',
    'web  pulling app:1  [........................]  0.1 MB / 3.0 MB, layer 2 of 2',
    'web  pulling app:1  [######..................]  0.8 MB / 3.0 MB, layer 2 of 2',
    'web  CREATE_COMPLETE',
  ]);
  expect(out.text).not.toContain('\x1b[');
});

test('on a terminal: what is in progress is a block redrawn in place under the log, and taken away at the end', () => {
  const out = screen(true);
  const view = new WaitView(out);
  view.show(stateWith({ web: ['CREATE_IN_PROGRESS', 'state changed'], handle: ['CREATE_IN_PROGRESS', 'waiting for 1 signal, 4m left'] }), [pull(1_500_000)]);
  expect(out.text).toContain('  web  CREATE_IN_PROGRESS  pulling app:1  [############............]  1.5 MB / 3.0 MB, layer 2 of 2\n');
  expect(out.text).toContain('  handle  CREATE_IN_PROGRESS  waiting for 1 signal, 4m left\n');
  out.text = '';
  view.show(stateWith({ web: ['CREATE_COMPLETE', 'state changed'], handle: ['CREATE_IN_PROGRESS', 'waiting for 1 signal, 4m left'] }), []);
  // The two lines of the block go, the new log line comes, then the block of what is left.
  expect(out.text.startsWith('\x1b[2A\x1b[J')).toBe(true);
  expect(out.text.slice('\x1b[2A\x1b[J'.length)).toMatch(/^ *[\d.]+s {2}web {2}CREATE_COMPLETE\n {2}handle {2}CREATE_IN_PROGRESS {2}waiting for 1 signal, 4m left\n$/);
  out.text = '';
  view.done();
  expect(out.text).toBe('\x1b[1A\x1b[J');
});

test('the engine\'s pull stream is summed over its layers: sizes as layers start, a finished layer counted whole', () => {
  const tally = new PullTally();
  tally.add({ status: 'Pulling from stoke/app', id: '1' });
  tally.add({ status: 'Already exists', id: 'a' });
  tally.add({ status: 'Pulling fs layer', id: 'b' });
  tally.add({ status: 'Pulling fs layer', id: 'c' });
  tally.add({ status: 'Downloading', id: 'b', progressDetail: { current: 500, total: 2000 } });
  expect(tally.add({ status: 'Downloading', id: 'c', progressDetail: { current: 100, total: 1000 } })).toEqual({ downloaded: 600, size: 3000, layers: 3, layersDone: 1 });
  tally.add({ status: 'Download complete', id: 'b' });
  expect(tally.add({ status: 'Pull complete', id: 'b' })).toEqual({ downloaded: 2100, size: 3000, layers: 3, layersDone: 2 });
});
