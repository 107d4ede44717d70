/**
 * The shape of policy.json, containers-policy.json(5), as strict valibot schemas: an unknown field
 * anywhere rejects the file, as containers/image's paranoid JSON parsing does.
 * https://github.com/containers/image/blob/main/docs/containers-policy.json.5.md
 */
import * as v from 'valibot';

const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const nonEmptyList = v.pipe(v.array(nonEmpty), v.minLength(1, 'must not be an empty list'));

const MatchExact = v.strictObject({ type: v.literal('matchExact') });
const MatchRepoDigestOrExact = v.strictObject({ type: v.literal('matchRepoDigestOrExact') });
const MatchRepository = v.strictObject({ type: v.literal('matchRepository') });
const ExactReference = v.strictObject({ type: v.literal('exactReference'), dockerReference: nonEmpty });
const ExactRepository = v.strictObject({ type: v.literal('exactRepository'), dockerRepository: nonEmpty });
const RemapIdentity = v.strictObject({ type: v.literal('remapIdentity'), prefix: nonEmpty, signedPrefix: nonEmpty });

export const SignedIdentitySchema = v.variant('type', [
  MatchExact,
  MatchRepoDigestOrExact,
  MatchRepository,
  ExactReference,
  ExactRepository,
  RemapIdentity,
]);
export type SignedIdentity = v.InferOutput<typeof SignedIdentitySchema>;

const Fulcio = v.strictObject({
  caPath: v.optional(nonEmpty),
  caData: v.optional(nonEmpty),
  oidcIssuer: v.optional(nonEmpty),
  subjectEmail: v.optional(nonEmpty),
});
const Pki = v.strictObject({
  caRootsPath: v.optional(nonEmpty),
  caRootsData: v.optional(nonEmpty),
  caIntermediatesPath: v.optional(nonEmpty),
  caIntermediatesData: v.optional(nonEmpty),
  subjectEmail: v.optional(nonEmpty),
  subjectHostname: v.optional(nonEmpty),
});

const InsecureAcceptAnything = v.strictObject({ type: v.literal('insecureAcceptAnything') });
const Reject = v.strictObject({ type: v.literal('reject') });
const SignedBy = v.strictObject({
  type: v.literal('signedBy'),
  keyType: v.picklist(['GPGKeys', 'signedByGPGKeys', 'X509Certificates', 'signedByX509CAs']),
  keyPath: v.optional(nonEmpty),
  keyPaths: v.optional(nonEmptyList),
  keyData: v.optional(nonEmpty),
  signedIdentity: v.optional(SignedIdentitySchema),
});
const SigstoreSigned = v.strictObject({
  type: v.literal('sigstoreSigned'),
  keyPath: v.optional(nonEmpty),
  keyPaths: v.optional(nonEmptyList),
  keyData: v.optional(nonEmpty),
  keyDatas: v.optional(nonEmptyList),
  fulcio: v.optional(Fulcio),
  pki: v.optional(Pki),
  rekorPublicKeyPath: v.optional(nonEmpty),
  rekorPublicKeyPaths: v.optional(nonEmptyList),
  rekorPublicKeyData: v.optional(nonEmpty),
  rekorPublicKeyDatas: v.optional(nonEmptyList),
  signedIdentity: v.optional(SignedIdentitySchema),
});
const SignedBaseLayer = v.strictObject({ type: v.literal('signedBaseLayer'), baseLayerIdentity: SignedIdentitySchema });

export const RequirementSchema = v.variant('type', [InsecureAcceptAnything, Reject, SignedBy, SigstoreSigned, SignedBaseLayer]);
export type Requirement = v.InferOutput<typeof RequirementSchema>;
export type SigstoreRequirement = v.InferOutput<typeof SigstoreSigned>;

/** containers/image refuses an empty list: it would accept everything without saying so. */
const Requirements = v.pipe(v.array(RequirementSchema), v.minLength(1, 'a list of requirements must not be empty'));

export const PolicySchema = v.strictObject({
  default: Requirements,
  transports: v.optional(v.record(v.string(), v.record(v.string(), Requirements))),
});
export type PolicyDocument = v.InferOutput<typeof PolicySchema>;
