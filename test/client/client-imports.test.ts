/** The client library stays a library: loading it never loads the signal gateway's HTTP server. */

test('src/client/client.ts does not load src/gateway/gateway.ts, directly or through another module', () => {
  const loaded: string[] = [];
  jest.isolateModules(() => {
    jest.doMock('../../src/gateway/gateway', () => {
      loaded.push('src/gateway/gateway.ts');
      return {};
    });
    require('../../src/client/client');
  });
  expect(loaded).toEqual([]);
});
