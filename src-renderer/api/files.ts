/**
 * The path of an archive the user dropped, for a `load` call. In the Electron app the preload
 * gives a dropped file's own path; a browser served by `deckhand serve` cannot, so the file is
 * uploaded to the web host, which answers with where it put it (and deletes it after the load).
 */
import { UPLOAD_NAME_HEADER, UPLOAD_ROUTE, type CallResult, type RawApi } from '../../src-shared/ipc/contract.ts';

type WithPaths = RawApi & { pathForFile?: (file: File) => string };

export async function archivePathFor(file: File): Promise<string> {
  const bridge = window.deckhand as WithPaths | undefined;
  if (typeof bridge?.pathForFile === 'function') {
    const path = bridge.pathForFile(file);
    if (path) return path;
    throw new Error(`${file.name} has no path on this computer; drop the archive from a folder.`);
  }
  const res = await fetch(new URL(UPLOAD_ROUTE, new URL('.', location.href)), {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', [UPLOAD_NAME_HEADER]: encodeURIComponent(file.name) },
    body: file,
  });
  const body = (await res.json().catch(() => null)) as CallResult<{ path: string }> | null;
  if (body?.ok === true && typeof body.value?.path === 'string') return body.value.path;
  throw new Error(
    body?.ok === false ? body.error.message : `The Deckhand host answered the upload of ${file.name} with HTTP ${res.status}.`,
  );
}
