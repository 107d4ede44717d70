/**
 * Parses WWW-Authenticate challenges (RFC 7235 section 4.1 / 2.1): `Bearer realm="…",service="…",
 * scope="…"` as sent by registries (distribution-spec, docker token auth spec), and `Basic realm="…"`.
 * https://distribution.github.io/distribution/spec/auth/token/
 */
export interface Challenge {
  scheme: 'basic' | 'bearer' | string;
  params: Record<string, string>;
}

export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?:\s+|$)/y;
  const paramRe = /\s*([\w!#$%&'*+.^`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
  let pos = 0;
  while (pos < header.length) {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (!m) break;
    pos = re.lastIndex;
    const challenge: Challenge = { scheme: m[1]!.toLowerCase(), params: {} };
    for (;;) {
      paramRe.lastIndex = pos;
      const p = paramRe.exec(header);
      if (!p) break;
      // A token followed by '=' is a parameter; a bare token starts the next challenge.
      challenge.params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
      pos = paramRe.lastIndex;
    }
    out.push(challenge);
    while (header[pos] === ',' || header[pos] === ' ') pos++;
  }
  return out;
}
