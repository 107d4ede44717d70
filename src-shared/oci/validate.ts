/**
 * Shared checks for untrusted OCI JSON documents: strict UTF-8 JSON decoding and descriptor
 * validation. Descriptor rules: https://github.com/opencontainers/image-spec/blob/main/descriptor.md#properties
 * Platform rules: https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions
 */
import { DeckhandError } from '../errors.ts';
import { assertDigest } from './digest.ts';
import type { Descriptor } from './manifest.ts';

export type Fail = (message: string, cause?: unknown) => never;

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes bytes as strict UTF-8 JSON; every failure goes through `fail`. */
export function decodeJson(bytes: Uint8Array, fail: Fail): unknown {
  if (!(bytes instanceof Uint8Array)) fail('expected the document as bytes');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    return fail('it is not valid UTF-8', e);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(`it is not valid JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
}

export function checkString(v: unknown, where: string, fail: Fail, nonEmpty = false): string {
  if (typeof v !== 'string' || (nonEmpty && v === '')) fail(`${where} must be a ${nonEmpty ? 'non-empty ' : ''}string`);
  return v as string;
}

export function checkStringArray(v: unknown, where: string, fail: Fail): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(`${where} must be an array of strings`);
  return v as string[];
}

export function checkStringMap(v: unknown, where: string, fail: Fail): Record<string, string> {
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) fail(`${where} must be an object mapping strings to strings`);
  return v as Record<string, string>;
}

/** A digest inside a document: the EDIGEST error becomes the document's error, kept as `cause`. */
export function checkDigest(v: unknown, where: string, fail: Fail): string {
  try {
    return assertDigest(v, where);
  } catch (e) {
    if (e instanceof DeckhandError) return fail(e.message, e);
    throw e;
  }
}

export function checkPlatform(v: unknown, where: string, fail: Fail): void {
  if (!isObject(v)) fail(`${where} must be an object`);
  const p = v as JsonObject;
  checkString(p.os, `${where}.os`, fail, true);
  checkString(p.architecture, `${where}.architecture`, fail, true);
  if (p.variant !== undefined) checkString(p.variant, `${where}.variant`, fail);
  if (p['os.version'] !== undefined) checkString(p['os.version'], `${where}["os.version"]`, fail);
  if (p['os.features'] !== undefined) checkStringArray(p['os.features'], `${where}["os.features"]`, fail);
}

/** Validates one descriptor in place and returns it typed. */
export function checkDescriptor(v: unknown, where: string, fail: Fail): Descriptor {
  if (!isObject(v)) fail(`${where} must be a descriptor object`);
  const d = v as JsonObject;
  checkString(d.mediaType, `${where}.mediaType`, fail, true);
  checkDigest(d.digest, `${where}.digest`, fail);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) fail(`${where}.size must be a non-negative integer`);
  if (d.urls !== undefined) checkStringArray(d.urls, `${where}.urls`, fail);
  if (d.annotations !== undefined) checkStringMap(d.annotations, `${where}.annotations`, fail);
  if (d.platform !== undefined) checkPlatform(d.platform, `${where}.platform`, fail);
  if (d.artifactType !== undefined) checkString(d.artifactType, `${where}.artifactType`, fail, true);
  return d as unknown as Descriptor;
}
