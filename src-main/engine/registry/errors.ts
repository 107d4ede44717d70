/**
 * Turns registry error responses (distribution-spec "Error Codes": `{"errors":[{code,message,detail}]}`)
 * into DeckhandErrors with stable codes and messages in the user's words.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
import { DeckhandError } from '../../../src-shared/errors.ts';

export interface RegistryErrorBody {
  code: string;
  message?: string;
}

export function parseErrorBody(text: string): RegistryErrorBody[] {
  try {
    const doc = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter(
        (e): e is { code: string; message?: unknown } =>
          typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string',
      )
      .map((e) => ({ code: e.code, ...(typeof e.message === 'string' ? { message: e.message.slice(0, 300) } : {}) }));
  } catch {
    return [];
  }
}

export function errorFor(
  status: number,
  bodyText: string,
  what: { registry: string; repository: string; object: string; authenticated: boolean; action?: 'pull' | 'push' },
): DeckhandError {
  const errors = parseErrorBody(bodyText);
  const codes = errors.map((e) => e.code);
  const said =
    errors.length > 0 ? ` (registry said: ${errors.map((e) => `${e.code}${e.message ? `: ${e.message}` : ''}`).join('; ')})` : '';
  const detail = { status, registry: what.registry, repository: what.repository, registryCodes: codes };
  if (status === 404 || codes.includes('MANIFEST_UNKNOWN') || codes.includes('NAME_UNKNOWN') || codes.includes('BLOB_UNKNOWN')) {
    return new DeckhandError(
      'ENOT_FOUND',
      `${what.object} was not found in ${what.registry}/${what.repository}${said}. Check the name and tag.`,
      { detail },
    );
  }
  if ((status === 401 || status === 403) && what.action === 'push') {
    return what.authenticated
      ? new DeckhandError(
          'EDENIED',
          `The credentials for ${what.registry} can read but not write to ${what.repository}${said}. Log in with an account or token that has push access: \`deckhand login ${what.registry}\`.`,
          { detail: { ...detail, readOnly: true } },
        )
      : new DeckhandError(
          'EUNAUTHORIZED',
          `${what.registry} requires authentication to push to ${what.repository}${said}. Run \`deckhand login ${what.registry}\` first.`,
          { detail },
        );
  }
  if (status === 401) {
    return new DeckhandError(
      'EUNAUTHORIZED',
      what.authenticated
        ? `${what.registry} rejected the credentials for ${what.repository}${said}. Run \`deckhand login ${what.registry}\` again.`
        : `${what.registry} requires authentication for ${what.repository}${said}. Run \`deckhand login ${what.registry}\` first.`,
      { detail },
    );
  }
  if (status === 403 || codes.includes('DENIED')) {
    return new DeckhandError(
      'EDENIED',
      `Access to ${what.repository} on ${what.registry} was denied${said}. Your account may lack permission for it.`,
      { detail },
    );
  }
  if (status === 429 || codes.includes('TOOMANYREQUESTS')) {
    return new DeckhandError(
      'EREGISTRY',
      `${what.registry} is rate-limiting requests${said}. Wait a while and try again, or log in for a higher limit.`,
      { detail },
    );
  }
  return new DeckhandError('EREGISTRY', `${what.registry} answered ${status} for ${what.object}${said}.`, { detail });
}
