/**
 * The image configuration blob (what `docker inspect` shows).
 * Spec: https://github.com/opencontainers/image-spec/blob/main/config.md#properties
 * Docker's variant: https://github.com/moby/docker-image-spec/blob/main/spec.md
 */
import { DeckhandError } from '../errors.ts';
import type { ImageConfig } from './manifest.ts';
import {
  checkDigest,
  checkString,
  checkStringArray,
  checkStringMap,
  decodeJson,
  isObject,
  type Fail,
  type JsonObject,
} from './validate.ts';

const fail: Fail = (message, cause) => {
  throw new DeckhandError(
    'EMANIFEST',
    `Invalid image config: ${message}. An image config must be a JSON object with "os", "architecture" and "rootfs": {"type": "layers", "diff_ids": [...]}; the image is damaged or not a container image, so pull or build it again.`,
    cause === undefined ? undefined : { cause },
  );
};

function optionalString(o: JsonObject, key: string, where: string): void {
  if (o[key] !== undefined && o[key] !== null) checkString(o[key], `${where}${key}`, fail);
}

/** Go's encoding/json writes nil slices and maps as null; treat those as absent. */
function dropNull(o: JsonObject, key: string): void {
  if (o[key] === null) delete o[key];
}

function checkRunConfig(v: unknown): void {
  if (!isObject(v)) fail('"config" must be an object');
  const c = v as JsonObject;
  for (const key of ['User', 'WorkingDir', 'StopSignal']) optionalString(c, key, 'config.');
  dropNull(c, 'Env');
  if (c.Env !== undefined) checkStringArray(c.Env, 'config.Env', fail);
  for (const key of ['Entrypoint', 'Cmd']) {
    if (c[key] !== undefined && c[key] !== null) checkStringArray(c[key], `config.${key}`, fail);
  }
  if (c.Labels !== undefined && c.Labels !== null) checkStringMap(c.Labels, 'config.Labels', fail);
  for (const key of ['ExposedPorts', 'Volumes']) {
    dropNull(c, key);
    if (c[key] !== undefined && !isObject(c[key])) fail(`config.${key} must be an object`);
  }
}

function checkHistory(v: unknown): void {
  if (!Array.isArray(v)) fail('"history" must be an array');
  (v as unknown[]).forEach((h, i) => {
    if (!isObject(h)) fail(`history[${i}] must be an object`);
    for (const key of ['created', 'created_by', 'author', 'comment']) optionalString(h, key, `history[${i}].`);
    if (h.empty_layer !== undefined && typeof h.empty_layer !== 'boolean') fail(`history[${i}].empty_layer must be true or false`);
  });
}

export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  const doc = decodeJson(bytes, fail);
  if (!isObject(doc)) fail('the document is not a JSON object');
  const o = doc as JsonObject;
  checkString(o.os, 'os', fail, true);
  checkString(o.architecture, 'architecture', fail, true);
  for (const key of ['created', 'author', 'variant', 'os.version']) optionalString(o, key, '');
  if (!isObject(o.rootfs)) fail('"rootfs" must be an object');
  const rootfs = o.rootfs as JsonObject;
  checkString(rootfs.type, 'rootfs.type', fail, true);
  if (!Array.isArray(rootfs.diff_ids)) fail('rootfs.diff_ids must be an array of digests');
  (rootfs.diff_ids as unknown[]).forEach((d, i) => checkDigest(d, `rootfs.diff_ids[${i}]`, fail));
  dropNull(o, 'config');
  if (o.config !== undefined) checkRunConfig(o.config);
  dropNull(o, 'history');
  if (o.history !== undefined) checkHistory(o.history);
  return o as unknown as ImageConfig;
}
