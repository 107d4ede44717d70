/**
 * skopeo's `docker-daemon:` transport names: `docker-daemon:NAME[:TAG]` (an image in a Docker or
 * Podman engine, `:latest` when no tag is given) or, as a source only, `docker-daemon:sha256:ID`
 * (an image ID). As in containers/image, a name with a digest is refused: an engine's image is
 * named by a tag, and an archive loaded into it carries tags only.
 * https://github.com/containers/image/blob/main/docker/daemon/daemon_transport.go
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference, type ImageReference } from '../../../src-shared/oci/reference.ts';

export type DaemonReference =
  /** `text`: what the engine is asked for (the name as given, with `:latest` added when it has no tag). */
  { kind: 'name'; ref: ImageReference; text: string } | { kind: 'id'; id: string; text: string };

const ID_RE = /^sha256:[0-9a-f]{64}$/;

export function parseDaemonReference(rest: string, role: 'source' | 'destination'): DaemonReference {
  const usage = `Use docker-daemon:NAME[:TAG]${role === 'source' ? ' or docker-daemon:sha256:IMAGE-ID' : ''}.`;
  if (rest === '') throw new DeckhandError('EUSAGE', `docker-daemon: names no image. ${usage}`);
  if (rest.startsWith('sha256:')) {
    if (!ID_RE.test(rest))
      throw new DeckhandError('EUSAGE', `docker-daemon:${rest}: an image ID is sha256: and 64 lowercase hexadecimal characters. ${usage}`);
    if (role === 'destination')
      throw new DeckhandError('EUSAGE', `docker-daemon:${rest}: an image ID cannot name a destination; give the engine a NAME:TAG.`);
    return { kind: 'id', id: rest, text: rest };
  }
  let ref: ImageReference;
  try {
    ref = parseReference(rest, { defaultTag: 'latest' });
  } catch (e) {
    throw new DeckhandError('EUSAGE', `docker-daemon:${rest} is not an image name (${(e as Error).message}). ${usage}`, { cause: e });
  }
  if (ref.digest !== undefined)
    throw new DeckhandError('EUSAGE', `docker-daemon:${rest}: an engine's image is named by a tag, not a digest. ${usage}`);
  const tagged = /:[^/]+$/.test(rest) ? rest : `${rest}:latest`;
  return { kind: 'name', ref, text: tagged };
}

/** The full name a destination engine's image gets (RepoTags in the archive it is sent). */
export function daemonTargetName(ref: DaemonReference): string {
  if (ref.kind !== 'name') throw new DeckhandError('EUSAGE', `docker-daemon:${ref.text} cannot name a destination.`);
  return formatReference(ref.ref);
}
