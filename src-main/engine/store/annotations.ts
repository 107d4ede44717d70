/** Annotation keys Deckhand writes on index.json descriptors. */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** Where the image came from: `registry-host/repository` and the endpoint that served it. */
export const SOURCE = 'io.deckhand.source';
/** ISO time the descriptor was written by a pull, load or tag. */
export const PULLED = 'io.deckhand.pulled';
/** For an index: the platforms whose manifests are stored (a sparse index stores a subset). */
export const PLATFORMS = 'io.deckhand.platforms';
/** On a dangling descriptor: the reference it was known by before the tag moved. */
export const PREVIOUS_REF = 'io.deckhand.previous-ref';
/** On a dangling descriptor: when it lost its tag. */
export const UNTAGGED = 'io.deckhand.untagged';
/**
 * Set by a pull whose policy required sigstore signatures (sigstoreSigned) and verified them: the
 * key(s) that verified one (file paths, or `keyData` / `keyDatas[i]`), comma-separated; the policy
 * file and the scope that applied; and when. A pull accepted without a signature requirement sets none.
 */
export const SIGNATURE_VERIFIED_BY = 'io.deckhand.signature.verified-by';
export const SIGNATURE_POLICY = 'io.deckhand.signature.policy';
export const SIGNATURE_VERIFIED_AT = 'io.deckhand.signature.verified-at';
