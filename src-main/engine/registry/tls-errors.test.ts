import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RegistryTls } from './tls-errors.ts';
import { tlsAlert, tlsErrorFor } from './tls-errors.ts';

const err = (code: string, message = '') => Object.assign(new Error(message), { code });
const none: RegistryTls = {
  dir: undefined,
  searched: ['/h/.config/containers/certs.d/r:1', '/etc/containers/certs.d/r:1', '/etc/docker/certs.d/r:1'],
  caFiles: [],
  ca: undefined,
  client: undefined,
};
const withClient: RegistryTls = {
  ...none,
  dir: '/h/.config/containers/certs.d/r:1',
  client: { certFile: '/h/.config/containers/certs.d/r:1/me.cert', keyFile: '/h/.config/containers/certs.d/r:1/me.key', cert: '', key: '' },
};

test('alerts are read from the code or the OpenSSL message', () => {
  assert.equal(tlsAlert('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', ''), 116);
  assert.equal(tlsAlert('EPROTO', 'write EPROTO …:ssl/tls alert bad certificate:…:SSL alert number 42'), 42);
  assert.equal(tlsAlert('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', ''), 40);
  assert.equal(tlsAlert('ECONNRESET', 'socket hang up'), undefined);
});

test('a refused handshake without a client certificate says the registry requires one and where it goes', () => {
  for (const e of [
    err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
    err('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'ssl/tls alert bad certificate: SSL alert number 42'),
    err('EPROTO', 'alert handshake failure: SSL alert number 40'),
  ]) {
    const d = tlsErrorFor(e, { domain: 'r:1', certs: none, clientCertificate: false });
    assert.equal(d?.code, 'ETLS');
    assert.match(d!.message, /Registry r:1 requires a client certificate/);
    assert.match(
      d!.message,
      /Put NAME\.cert and NAME\.key in certs\.d\/r:1 \(looked in: \/h\/\.config\/containers\/certs\.d\/r:1, .*\) or pass --cert-dir DIR/,
    );
    assert.equal(d!.detail?.reason, 'client-certificate-required');
  }
  const viaCertDir = tlsErrorFor(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), {
    domain: 'r:1',
    certs: { ...none, searched: ['/c'], dir: '/c' },
    clientCertificate: false,
    certDir: '/c',
  });
  assert.match(viaCertDir!.message, /Put NAME\.cert and NAME\.key in --cert-dir \/c\./);
});

test('a refused client certificate names the file', () => {
  const d = tlsErrorFor(err('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'SSL alert number 42'), {
    domain: 'r:1',
    certs: withClient,
    clientCertificate: true,
  });
  assert.match(d!.message, /refused the client certificate \/h\/\.config\/containers\/certs\.d\/r:1\/me\.cert/);
  assert.equal(d!.detail?.reason, 'client-certificate-refused');
});

test('an unknown CA says which certs.d directories were looked at', () => {
  const d = tlsErrorFor(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), {
    domain: 'r:1',
    certs: none,
    clientCertificate: false,
  });
  assert.match(d!.message, /not signed by a CA Deckhand trusts \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  assert.match(
    d!.message,
    /certs\.d directories \/h\/\.config\/containers\/certs\.d\/r:1, \/etc\/containers\/certs\.d\/r:1, \/etc\/docker\/certs\.d\/r:1 \(none exists\)/,
  );
  const found = tlsErrorFor(err('SELF_SIGNED_CERT_IN_CHAIN'), {
    domain: 'r:1',
    certs: { ...withClient, caFiles: ['/x/ca.crt'] },
    clientCertificate: true,
  });
  assert.match(found!.message, /Looked in the certs\.d directory \/h\/\.config\/containers\/certs\.d\/r:1, which added \/x\/ca\.crt/);
});

test('name mismatch and expiry are told apart; other errors are not TLS errors', () => {
  assert.equal(
    tlsErrorFor(err('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), {
      domain: 'r:1',
      certs: none,
      clientCertificate: false,
    })?.detail?.reason,
    'name-mismatch',
  );
  assert.match(tlsErrorFor(err('CERT_HAS_EXPIRED'), { domain: 'r:1', certs: none, clientCertificate: false })!.message, /has expired/);
  assert.equal(tlsErrorFor(err('ECONNREFUSED'), { domain: 'r:1', certs: none, clientCertificate: false }), undefined);
});
