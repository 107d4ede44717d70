/**
 * A call's answer as JSON text in pieces of about CHUNK characters, the same text JSON.stringify
 * gives. The store's big answers (10,000 image rows, df, the layer forest) are 5–9 MB of JSON:
 * made in one piece, each is one large string and one large buffer per call, which the host's heap
 * and allocator keep long after the answer was sent. In pieces, the text is made as the socket
 * takes it and every piece is short-lived.
 */
export const CHUNK = 64 * 1024;

/**
 * How deep the text is made piece by piece: arrays down to depth 2 (the rows of a list, the blobs
 * and images of df, a forest's base layers), objects down to depth 1 (the answer's envelope and its
 * value). Each value below is one JSON.stringify: a row, an image's figures, a base layer's subtree.
 */
const ARRAY_DEPTH = 2;
const OBJECT_DEPTH = 1;

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function* pieces(value: unknown, depth: number): Generator<string> {
  if (
    value === null ||
    typeof value !== 'object' ||
    depth > (Array.isArray(value) ? ARRAY_DEPTH : OBJECT_DEPTH) ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const v: unknown = value[i];
      if (skipped(v)) yield 'null';
      else yield* pieces(v, depth + 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (skipped(v)) continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* pieces(v, depth + 1);
  }
  yield '}';
}

/** The JSON text of `value` (an object or array, as call results are) in chunks of at least `size` characters, the last one shorter. */
export function* jsonChunks(value: unknown, size = CHUNK): Generator<string> {
  let chunk = '';
  for (const piece of pieces(value, 0)) {
    chunk += piece;
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
