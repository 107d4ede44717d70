/**
 * An engine's event stream (`/events`, podman's `/libpod/events`): a never-ending response of JSON
 * objects, one per event. Old engines send `status` / `id` / `from`, newer ones `Type` / `Action` /
 * `Actor.ID` (and usually both); either is read. When the stream drops (the engine restarts, a VM
 * sleeps), it is asked again from the time of the last event seen, after a pause that doubles from
 * 250 ms up to 10 s and starts over once events flow again.
 */
import type { IncomingMessage } from 'node:http';
import type { EngineEvent } from './types.ts';

export interface EventSource {
  eventStream(signal: AbortSignal, since: number | null): Promise<IncomingMessage>;
}

interface RawEvent {
  status?: string;
  id?: string;
  from?: string;
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** One event in either shape; null for something that is not an event. */
export function parseEvent(raw: unknown): EngineEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as RawEvent;
  const action = r.Action ?? r.status;
  const id = r.Actor?.ID ?? r.id;
  if (!action || !id) return null;
  // Old docker events carry no Type: an image's have `id` as the image name and no `from`.
  const type = r.Type ?? (r.from ? 'container' : 'image');
  const time = typeof r.timeNano === 'number' ? Math.floor(r.timeNano / 1e6) : typeof r.time === 'number' ? r.time * 1000 : Date.now();
  return { type: type.toLowerCase(), action, id, time };
}

/**
 * Splits a stream of concatenated JSON objects (with or without newlines between them). Returns
 * the complete objects' texts and what is left of an unfinished one.
 */
export function splitJsonObjects(buffer: string): { objects: string[]; rest: string } {
  const objects: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        objects.push(buffer.slice(start, i + 1));
      }
    }
  }
  return { objects, rest: depth > 0 ? buffer.slice(start) : '' };
}

const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 10_000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Calls `onEvent` for each event until `signal` aborts, reconnecting after drops. */
export async function readEvents(
  source: EventSource,
  onEvent: (e: EngineEvent) => void,
  signal: AbortSignal,
  opts: { firstPauseMs?: number; maxPauseMs?: number; onDrop?: (e: unknown) => void } = {},
): Promise<void> {
  const first = opts.firstPauseMs ?? FIRST_PAUSE_MS;
  const max = opts.maxPauseMs ?? MAX_PAUSE_MS;
  let wait = first;
  // Seconds, as the API's `since` takes them; null: from now on.
  let since: number | null = null;
  let lastNano = 0;
  while (!signal.aborted) {
    const connectedAt = Math.floor(Date.now() / 1000);
    try {
      const res = await source.eventStream(signal, since);
      let buffer = '';
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buffer += chunk.toString('utf8');
        const { objects, rest } = splitJsonObjects(buffer);
        buffer = rest;
        for (const text of objects) {
          let raw: unknown;
          try {
            raw = JSON.parse(text);
          } catch {
            continue;
          }
          const e = parseEvent(raw);
          if (!e) continue;
          const nano = (raw as RawEvent).timeNano ?? e.time * 1e6;
          // After a reconnect `since` repeats the last second's events: skip those already seen.
          if (nano <= lastNano) continue;
          lastNano = nano;
          since = Math.floor(e.time / 1000);
          wait = first;
          onEvent(e);
        }
      }
      if (signal.aborted) return;
      opts.onDrop?.(new Error('the event stream ended'));
    } catch (e) {
      if (signal.aborted) return;
      opts.onDrop?.(e);
    }
    since ??= connectedAt;
    await pause(wait, signal);
    wait = Math.min(wait * 2, max);
  }
}
