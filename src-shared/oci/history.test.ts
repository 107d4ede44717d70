import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStep } from './history.ts';

test('the classic builder: #(nop) steps show their instruction, shell steps read RUN', () => {
  assert.equal(buildStep('/bin/sh -c #(nop) COPY file:9a3f2b1c in / '), 'COPY file:9a3f2b1c in /');
  assert.equal(buildStep('/bin/sh -c #(nop)  CMD ["/bin/sh"]'), 'CMD ["/bin/sh"]');
  assert.equal(buildStep('/bin/sh -c apk add --no-cache curl'), 'RUN apk add --no-cache curl');
  assert.equal(buildStep('/bin/bash -c set -eux; \tapt-get update'), 'RUN set -eux; apt-get update');
});

test('BuildKit: the trailing marker goes, and a RUN is not doubled', () => {
  assert.equal(buildStep('RUN /bin/sh -c make install # buildkit'), 'RUN make install');
  assert.equal(buildStep('COPY app /usr/local/bin/ # buildkit'), 'COPY app /usr/local/bin/');
  assert.equal(buildStep('WORKDIR /src'), 'WORKDIR /src');
});

test('anything else is kept, with whitespace collapsed', () => {
  assert.equal(buildStep('ADD alpine-minirootfs-3.20.3-aarch64.tar.gz / '), 'ADD alpine-minirootfs-3.20.3-aarch64.tar.gz /');
  assert.equal(buildStep('  created by hand\n\twith a tab '), 'created by hand with a tab');
  assert.equal(buildStep(''), '');
});
