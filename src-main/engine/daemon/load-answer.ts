/**
 * What an engine answers to a load. Docker's `POST /images/load` answers 200 and then a stream of
 * JSON messages (`{"stream":"Loaded image: app:1\n"}`); a failure arrives in that stream as
 * `{"errorDetail":{"message":…},"error":…}`, after the 200. Podman's `POST /libpod/images/load`
 * answers `{"Names":[…]}` (a failure is its HTTP status, which the connection turns into EENGINE).
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { splitJsonObjects } from './events.ts';

/** The JSON values of a stream of concatenated JSON objects (newline-separated or not); one that does not parse is kept as `{unparsed}`. */
export function jsonMessages(text: string): unknown[] {
  return splitJsonObjects(text).objects.map((raw) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return { unparsed: raw };
    }
  });
}

export interface LoadAnswer {
  /** The names the engine reports it loaded (`Loaded image: …`, Podman's Names), and `Loaded image ID: …`. */
  loaded: string[];
}

/** Reads a load's answer; an in-band error becomes EENGINE with the engine's own message. */
export function parseLoadAnswer(text: string, engine: string): LoadAnswer {
  const loaded: string[] = [];
  const messages = jsonMessages(text);
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) continue;
    const o = m as { error?: unknown; errorDetail?: { message?: unknown }; stream?: unknown; Names?: unknown };
    const detail = typeof o.errorDetail?.message === 'string' ? o.errorDetail.message : undefined;
    if (detail !== undefined || o.error !== undefined) {
      const message = detail ?? (typeof o.error === 'string' ? o.error : JSON.stringify(o.error));
      throw new DeckhandError('EENGINE', `${engine} refused the image: ${message}`, {
        detail: { address: engine, engineMessage: message },
      });
    }
    if (typeof o.stream === 'string') {
      const line = /^Loaded image(?: ID)?: (.+)$/m.exec(o.stream.trim());
      if (line) loaded.push(line[1]!.trim());
    }
    if (Array.isArray(o.Names)) for (const n of o.Names) if (typeof n === 'string') loaded.push(n);
  }
  if (loaded.length === 0)
    throw new DeckhandError(
      'EENGINE',
      `${engine} answered the load without saying that it loaded an image${text.trim() ? `: ${text.trim().slice(0, 500)}` : ''}.`,
      { detail: { address: engine } },
    );
  return { loaded };
}
