import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from './client.ts';
import { listRepositories, listTags, nextLink } from './listing.ts';

test('the next page comes from an RFC 5988 Link header with rel="next", whatever else it carries', () => {
  assert.equal(nextLink('</v2/_catalog?last=b&n=100>; rel="next"'), '/v2/_catalog?last=b&n=100');
  assert.equal(nextLink('<https://r.example/v2/a/tags/list?last=1&n=2>; rel=next'), 'https://r.example/v2/a/tags/list?last=1&n=2');
  assert.equal(nextLink('</first>; rel="prev", </second>; title="x"; rel="last next"'), '/second');
  assert.equal(nextLink('</x>; rel="prev"'), undefined);
  assert.equal(nextLink('</x>; rel="nextish"'), undefined);
  assert.equal(nextLink(undefined), undefined);
  assert.equal(nextLink('garbage'), undefined);
});

async function fakeRegistry(t: { after: (fn: () => Promise<void>) => void }, answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer((req, res) => (req.url === '/v2/' ? res.writeHead(200).end('{}') : answer(req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const domain = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new RegistryClient({ domain });
  t.after(() => client.close());
  return client;
}

test('pages are followed on the registry only; a next page elsewhere is refused', async (t) => {
  const client = await fakeRegistry(t, (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const last = url.searchParams.get('last');
    if (last === 'b')
      return res
        .writeHead(200, { Link: '<http://evil.example/v2/_catalog?last=c>; rel="next"' })
        .end(JSON.stringify({ repositories: ['c'] }));
    const page = last === 'a' ? { repositories: ['b'], next: 'b' } : { repositories: ['a'], next: 'a' };
    res
      .writeHead(200, { Link: `</v2/_catalog?last=${page.next}&n=1>; rel="next"` })
      .end(JSON.stringify({ repositories: page.repositories }));
  });
  assert.deepEqual(await listRepositories(client, { pageSize: 1, maxPages: 2 }), { items: ['a', 'b'], complete: false });
  await assert.rejects(
    listRepositories(client, { pageSize: 1 }),
    (e: Error & { code?: string }) => e.code === 'EREGISTRY' && e.message.includes('evil.example'),
  );
});

test('a refused or missing list says so and what to do instead', async (t) => {
  let status = 403;
  const client = await fakeRegistry(t, (_req, res) =>
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'nope' }] })),
  );
  await assert.rejects(
    listRepositories(client),
    (e: Error & { code?: string }) =>
      e.code === 'EDENIED' && /does not allow listing its repositories/.test(e.message) && /type the repository name/.test(e.message),
  );
  status = 404;
  await assert.rejects(
    listRepositories(client),
    (e: Error & { code?: string }) => e.code === 'ENOT_FOUND' && /does not offer a list/.test(e.message),
  );
  await assert.rejects(
    listTags(client, 'team/app'),
    (e: Error & { code?: string }) => e.code === 'ENOT_FOUND' && /no repository team\/app/.test(e.message),
  );
});
