/**
 * Turns Node's TLS failures into errors that say what to do: an untrusted server certificate names
 * the certs.d directories that were looked at; a registry that refuses the handshake for want of a
 * client certificate (TLS alert 116 "certificate required", or 42 "bad certificate" / 40 "handshake
 * failure" from servers that predate TLS 1.3's alert) says so and where the certificate goes.
 */
import { DeckhandError } from '../../../src-shared/errors.ts';

/** What certs.d (or --cert-dir) gives for one registry; read by config/certs-d.ts, used by the client. */
export interface RegistryTls {
  /** The directory whose files are used, if any exists. */
  dir: string | undefined;
  /** Every directory that was considered, in order (for error messages). */
  searched: string[];
  /** The CA files found (`*.crt`). */
  caFiles: string[];
  /** Default roots plus the `*.crt` certificates; undefined when there are none (Node's defaults apply). */
  ca: string[] | undefined;
  /** The client certificate pair, if any (`NAME.cert` + `NAME.key`); with several, the first by name. */
  client: { certFile: string; keyFile: string; cert: string; key: string } | undefined;
}

export interface TlsErrorContext {
  /** The registry as written in references (host[:port]): the certs.d directory name. */
  domain: string;
  /** What certs.d gave for it (undefined if it was not read). */
  certs: RegistryTls | undefined;
  /** Whether a client certificate was presented. */
  clientCertificate: boolean;
  /** `--cert-dir`, when given: it replaces the certs.d lookup. */
  certDir?: string | undefined;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

function codeAndMessage(e: unknown): { code: string; message: string } {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code) return { code, message: String((cur as Error).message ?? '') };
  }
  return { code: '', message: String((e as Error | undefined)?.message ?? '') };
}

/** The TLS alert the server sent, by number (RFC 8446 §6), if the error is one. */
export function tlsAlert(code: string, message: string): number | undefined {
  const n = /SSL alert number (\d+)/.exec(message);
  if (n) return Number(n[1]);
  if (/CERTIFICATE_REQUIRED|certificate required/i.test(`${code} ${message}`)) return 116;
  if (/ALERT_BAD_CERTIFICATE|alert bad certificate/i.test(`${code} ${message}`)) return 42;
  if (/ALERT_HANDSHAKE_FAILURE|alert handshake failure/i.test(`${code} ${message}`)) return 40;
  if (/ALERT_UNKNOWN_CA|alert unknown ca/i.test(`${code} ${message}`)) return 48;
  return undefined;
}

const list = (dirs: string[]) => dirs.join(', ');

/** A DeckhandError for a TLS failure, or undefined when `e` is not one. */
export function tlsErrorFor(e: unknown, ctx: TlsErrorContext): DeckhandError | undefined {
  const { code, message } = codeAndMessage(e);
  const searched = ctx.certs?.searched ?? [];
  const where = ctx.certDir
    ? `--cert-dir ${ctx.certDir}`
    : ctx.certs?.dir
      ? `the certs.d directory ${ctx.certs.dir}`
      : searched.length
        ? `certs.d directories ${list(searched)} (none exists)`
        : 'certs.d';
  const orCertDir = ctx.certDir ? '' : ', pass --cert-dir DIR';
  const detail = { code, domain: ctx.domain, searched, ...(ctx.certs?.dir ? { certDir: ctx.certs.dir } : {}) };
  const alert = tlsAlert(code, message);
  if (alert === 116 || ((alert === 42 || alert === 40) && !ctx.clientCertificate)) {
    const put = ctx.certDir
      ? `in --cert-dir ${ctx.certDir}`
      : ctx.certs?.dir
        ? `in ${ctx.certs.dir} or pass --cert-dir DIR`
        : `in certs.d/${ctx.domain} (looked in: ${list(searched)}) or pass --cert-dir DIR`;
    return new DeckhandError(
      'ETLS',
      `Registry ${ctx.domain} requires a client certificate, and Deckhand has none for it (the server ended the TLS handshake: ${alert === 116 ? 'certificate required' : alert === 42 ? 'bad certificate' : 'handshake failure'}). Put NAME.cert and NAME.key ${put}.`,
      { cause: e, detail: { ...detail, reason: 'client-certificate-required' } },
    );
  }
  if (alert === 42 || alert === 40 || alert === 48 || alert === 43 || alert === 44 || alert === 45 || alert === 46 || alert === 49) {
    const file = ctx.certs?.client?.certFile ?? 'the client certificate';
    return new DeckhandError(
      'ETLS',
      `Registry ${ctx.domain} refused the client certificate ${file} (TLS alert ${alert}). Check that it is signed by a CA the registry accepts and has not expired.`,
      { cause: e, detail: { ...detail, reason: 'client-certificate-refused', alert } },
    );
  }
  if (UNTRUSTED.has(code)) {
    const found = ctx.certs?.caFiles.length
      ? `, which added ${list(ctx.certs.caFiles)}`
      : ctx.certs?.dir
        ? ', which holds no CA certificate (*.crt)'
        : '';
    return new DeckhandError(
      'ETLS',
      `TLS verification failed for ${ctx.domain}: its certificate is not signed by a CA Deckhand trusts (${code}). Looked in ${where}${found}. Put the registry's CA certificate there as NAME.crt${orCertDir}, or use --tls-verify=false if you trust this network.`,
      { cause: e, detail: { ...detail, reason: 'untrusted' } },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new DeckhandError(
      'ETLS',
      `TLS verification failed for ${ctx.domain}: its certificate is not valid for this name (${message}).`,
      { cause: e, detail: { ...detail, reason: 'name-mismatch' } },
    );
  }
  if (EXPIRED.has(code)) {
    return new DeckhandError(
      'ETLS',
      `TLS verification failed for ${ctx.domain}: its certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'} (${code}). Check this machine's clock, or renew the registry's certificate.`,
      { cause: e, detail: { ...detail, reason: 'expired' } },
    );
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|EPROTO/i.test(code)) {
    return new DeckhandError(
      'ETLS',
      `TLS with ${ctx.domain} failed (${code}: ${message.split('\n')[0]}). CA and client certificates come from ${where}; --cert-dir DIR overrides it, --tls-verify=false skips verification.`,
      { cause: e, detail },
    );
  }
  return undefined;
}
