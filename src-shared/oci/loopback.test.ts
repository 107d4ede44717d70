import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackRegistryHost } from './loopback.ts';

test('loopback registry hosts: 127/8, ::1, localhost, with or without a port', () => {
  for (const h of ['127.0.0.1:5000', '127.1.2.3', 'localhost', 'localhost:5000', 'registry.localhost:80', '[::1]:5000', '::1', 'LOCALHOST'])
    assert.equal(isLoopbackRegistryHost(h), true, h);
  for (const h of ['docker.io', '10.0.0.1:5000', '127.0.0.1.example.com', '128.0.0.1', '[::2]:5000', 'localhost.example', '127.0.0.256'])
    assert.equal(isLoopbackRegistryHost(h), false, h);
});
