/** Masking hidden values for display: values are masked, identifiers never, and the engine's state stays real. */
import { MASK, maskText, redactState, redactText } from '../../src/template/redact';
import type { ResourceState, StackState } from '../../src/template/types';

const resource = (over: Partial<ResourceState>): ResourceState => ({
  type: 'OS::Heat::None', status: 'CREATE_COMPLETE', statusReason: 'state changed', physicalId: '', attributes: {},
  requires: [], deletionPolicy: 'Delete', properties: {}, updatedAt: '', ...over,
});

function stack(hiddenValues: string[], over: Partial<StackState> = {}): StackState {
  return {
    name: 'admin-site', id: '1f2e-11-admin', status: 'CREATE_COMPLETE', statusReason: 'Stack CREATE completed successfully',
    createdAt: '', updatedAt: '', outputs: {}, resources: {}, hiddenValues, ...over,
  };
}

test('a stack name, id, resource names and physical ids that contain a hidden value stay whole', () => {
  const state = stack(['admin'], {
    resources: { admin1: resource({ physicalId: 'admin-site-admin1', refId: 'ref-admin', properties: { user: 'admin', url: 'http://admin:admin@db' } }) },
    outputs: { who: { value: 'admin' }, site: { value: 'see admin-site-admin1 as admin' } },
  });
  const shown = redactState(state);
  expect(shown.name).toBe('admin-site');
  expect(shown.id).toBe('1f2e-11-admin');
  expect(Object.keys(shown.resources)).toEqual(['admin1']);
  expect(shown.resources.admin1!.physicalId).toBe('admin-site-admin1');
  expect(shown.resources.admin1!.refId).toBe('ref-admin');
  expect(shown.resources.admin1!.properties).toEqual({ user: MASK, url: `http://${MASK}:${MASK}@db` });
  expect(shown.outputs.who!.value).toBe(MASK);
  // Within text, a hidden value inside an identifier stays; the value on its own is masked.
  expect(shown.outputs.site!.value).toBe(`see admin-site-admin1 as ${MASK}`);
  expect('hiddenValues' in shown).toBe(false);
  // The engine's own state is not touched.
  expect(state.resources.admin1!.properties.user).toBe('admin');
});

test('a short hidden value is masked where it is the whole value, never inside ids or text', () => {
  const state = stack(['1'], {
    resources: { r1: resource({ physicalId: 'c0ffee1', attributes: { value: '1', count: 1, text: 'got 1 of 11' } }) },
    outputs: { one: { value: 1 }, list: { value: ['1', '2'] } },
  });
  const shown = redactState(state);
  expect(shown.id).toBe('1f2e-11-admin');
  expect(shown.resources.r1!.physicalId).toBe('c0ffee1');
  expect(shown.resources.r1!.attributes).toEqual({ value: MASK, count: MASK, text: 'got 1 of 11' });
  expect(shown.outputs.one!.value).toBe(MASK);
  expect(shown.outputs.list!.value).toEqual([MASK, '2']);
});

test('free text: reasons and failure messages mask hidden values, overlapping ones too', () => {
  const state = stack(['s3cret', 'cret-x'], { statusReason: 'Resource CREATE failed: db: password s3cret-x rejected' });
  expect(redactState(state).statusReason).toBe(`Resource CREATE failed: db: password ${MASK} rejected`);
  expect(redactText(state, 'admin-site: s3cret')).toBe(`admin-site: ${MASK}`);
  expect(maskText('an identifier equal to the secret protects nothing: s3cret', ['s3cret'], ['s3cret'])).toBe(`an identifier equal to the secret protects nothing: ${MASK}`);
  expect(redactText(stack([]), 's3cret')).toBe('s3cret');
});
