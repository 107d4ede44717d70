/**
 * What the `deckhand` command says about itself: every command's summary, usage, description,
 * options and examples, in one module that imports nothing, so that `deckhand --help` and the
 * command table cost nothing to load; a command's code is loaded only when it runs (main.ts).
 * docs/cli.md and the README's synopsis are generated from this table (`npm run docs:cli`).
 */

export interface OptionHelp {
  /** As typed: `-q, --quiet`, `--platform os/arch[/variant]`. */
  flag: string;
  /** What it does, in one line. */
  description: string;
}

export interface ExampleHelp {
  command: string;
  /** What the example does, when the command alone does not say it. */
  note?: string;
}

export interface CommandHelp {
  /** One line, for the command list. */
  summary: string;
  /** The synopsis, also printed after a usage error. */
  usage: string;
  /** What the command does, a few sentences. */
  description: string;
  options: readonly OptionHelp[];
  examples: readonly ExampleHelp[];
}

const FORMAT_JSON: OptionHelp = { flag: '--format json', description: 'Print the result as JSON for scripts instead of text' };
const TLS_VERIFY: OptionHelp = {
  flag: '--tls-verify=false',
  description: "Do not verify the registry's certificate, and allow plain HTTP (default: verify; registries.conf may set insecure)",
};
const CERT_DIR: OptionHelp = {
  flag: '--cert-dir DIR',
  description: 'Read the CA (*.crt) and client certificate (NAME.cert, NAME.key) from DIR instead of certs.d',
};
const QUIET: OptionHelp = { flag: '-q, --quiet', description: 'Print no progress on stderr, only the result' };
const PLATFORM: OptionHelp = {
  flag: '--platform os/arch[/variant]',
  description: "Take this platform from a multi-platform image (default: this machine's)",
};
const ALL_PLATFORMS: OptionHelp = { flag: '--all-platforms', description: 'Take every platform of a multi-platform image' };
const SIGNATURE_POLICY: OptionHelp = {
  flag: '--signature-policy PATH',
  description: 'Check signatures with this policy.json instead of ~/.config/containers/policy.json or /etc/containers/policy.json',
};
const AUTHFILE: OptionHelp = {
  flag: '--authfile F',
  description: 'Use this auth.json instead of $REGISTRY_AUTH_FILE or $XDG_RUNTIME_DIR/containers/auth.json',
};

export const COMMAND_HELP = {
  pull: {
    summary: 'Pull an image from a registry into the store',
    usage:
      'deckhand pull REF [--platform os/arch[/variant] | --all-platforms] [--tls-verify=false] [--cert-dir DIR] [--signature-policy PATH] [--quiet] [--format json]',
    description:
      "Fetches an image from a registry into the store and prints its digest. A short name (alpine) is resolved with registries.conf; from a multi-platform image only this machine's platform is stored unless told otherwise. Only missing blobs are fetched and interrupted downloads resume. Pulls follow registries.conf (mirrors, rewrites, blocked registries) and policy.json.",
    options: [PLATFORM, ALL_PLATFORMS, TLS_VERIFY, CERT_DIR, SIGNATURE_POLICY, QUIET, FORMAT_JSON],
    examples: [
      { command: 'deckhand pull alpine:3.20' },
      { command: 'deckhand pull --platform linux/arm64 ghcr.io/org/app:1.0', note: "another platform than this machine's" },
    ],
  },
  push: {
    summary: 'Push a stored image (every stored platform) to a registry',
    usage:
      'deckhand push SRC [DEST] [--present-platforms] [--tls-verify=false] [--cert-dir DIR] [--sign-by-sigstore-private-key KEY [--sign-passphrase-file F]] [--quiet] [--format json]',
    description:
      "Sends a stored image to a registry, to DEST or else to the name it is stored under, and prints its digest. Every stored platform goes (an index stays an index); blobs the registry already has are skipped, and a re-push of an unchanged image is one request. With --engine, SRC is an image of that engine: it is exported, every blob checked against its digest, and pushed the same way, keeping its image ID (DEST, or SRC's name, must name a registry).",
    options: [
      { flag: '--present-platforms', description: 'Push the stored platforms of a partly pulled index as a new index instead of refusing' },
      TLS_VERIFY,
      CERT_DIR,
      {
        flag: '--sign-by-sigstore-private-key KEY',
        description: 'Sign the pushed digest with this sigstore private key (see generate-sigstore-key)',
      },
      {
        flag: '--sign-passphrase-file F',
        description: "Read the key's passphrase from the first line of F (else $COSIGN_PASSWORD, else a prompt)",
      },
      QUIET,
      FORMAT_JSON,
    ],
    examples: [
      { command: 'deckhand push registry.example/team/app:1.0' },
      { command: 'deckhand push app:1.0 registry.example/team/app:1.0', note: 'under another name' },
      {
        command: 'deckhand push --engine docker myapp:dev registry.example/team/myapp:dev',
        note: 'an image of the Docker engine, without storing it',
      },
    ],
  },
  tag: {
    summary: 'Give a stored image another name (a tag names a digest)',
    usage: 'deckhand tag SRC DEST [--format json]',
    description:
      'Names a stored image DEST as well. If DEST named another image before, tag says so: that image stays as a dangling entry (prune removes it) unless another name still holds it.',
    options: [FORMAT_JSON],
    examples: [{ command: 'deckhand tag alpine:3.20 registry.example/base/alpine:3.20' }],
  },
  copy: {
    summary: 'Copy an image between the store, registries (docker://), OCI layouts (oci:DIR[:REF]) and engines (docker-daemon:)',
    usage:
      'deckhand copy SRC DEST [--platform os/arch[/variant] | --all-platforms] [--src-daemon-host URI] [--dest-daemon-host URI] [--tls-verify=false] [--cert-dir DIR] [--signature-policy PATH] [--quiet] [--format json]',
    description:
      "Copies an image between the store (a plain name), registries (docker://REF), OCI layout directories (oci:DIR[:REF]) and Docker or Podman engines (docker-daemon:NAME[:TAG], or docker-daemon:sha256:ID as a source), as skopeo copy does, and prints its digest. Registry to registry streams blobs from one to the other; signatures are copied along when the whole image is. An engine's image is exported, every blob checked against its digest, and keeps its image ID wherever it goes; into an engine goes one platform, loaded under the name given. The engine is the default one (DOCKER_HOST, the current Docker context, then Podman's) unless --engine names another for both ends, or --src-daemon-host or --dest-daemon-host for one.",
    options: [
      PLATFORM,
      ALL_PLATFORMS,
      {
        flag: '--src-daemon-host URI',
        description: 'The engine a docker-daemon: source is in: an address (unix:///path/to.sock, tcp://host:port) or an engine name',
      },
      { flag: '--dest-daemon-host URI', description: 'The engine a docker-daemon: destination is in (an address or an engine name)' },
      TLS_VERIFY,
      CERT_DIR,
      SIGNATURE_POLICY,
      QUIET,
      FORMAT_JSON,
    ],
    examples: [
      { command: 'deckhand copy --all-platforms docker://docker.io/library/alpine:3.20 docker://registry.example/mirror/alpine:3.20' },
      { command: 'deckhand copy alpine:3.20 oci:./alpine-layout:3.20', note: 'from the store to an OCI layout' },
      { command: 'deckhand copy docker-daemon:myapp:dev registry.example/team/myapp:dev', note: 'from the Docker engine into the store' },
      { command: 'deckhand copy registry.example/team/myapp:dev docker-daemon:myapp:dev', note: 'from the store into the engine' },
      {
        command:
          'deckhand copy --src-daemon-host unix:///run/user/1000/podman/podman.sock docker-daemon:localhost/myapp:dev docker://registry.example/team/myapp:dev',
        note: 'from Podman straight to a registry',
      },
    ],
  },
  serve: {
    summary: 'Serve the app to a browser on 127.0.0.1 (use an SSH tunnel to reach it remotely)',
    usage: 'deckhand serve [--port P]',
    description:
      "Runs the app's UI for a browser on 127.0.0.1 only and prints its address, which carries a random token that changes every run. Ctrl-C stops it.",
    options: [{ flag: '-p, --port P', description: 'Listen on port P (default: a free port)' }],
    examples: [{ command: 'deckhand serve --port 7780', note: 'then `ssh -L 7780:127.0.0.1:7780 HOST` and open the address locally' }],
  },
  images: {
    summary: 'List stored images',
    usage: 'deckhand images [--format json]',
    description:
      "Lists the stored images: repository, tag, digest, platforms, age, and the stored (compressed) and unpacked sizes. Dangling entries show as `<none>`. With --engine, the engine's images, one row per tag as `docker images` lists them, with its sizes (unpacked), shared and unique bytes and the containers using each.",
    options: [FORMAT_JSON],
    examples: [
      { command: 'deckhand images' },
      { command: 'deckhand images --format json' },
      { command: "deckhand images --engine 'docker (desktop-linux)'", note: 'the images of an engine `deckhand engines` found' },
    ],
  },
  outdated: {
    summary: "Check whether stored tags still name what their registry's tags name (HEAD requests only)",
    usage: 'deckhand outdated [REF...] [--head-only] [--tls-verify=false] [--cert-dir DIR] [--quiet] [--format json]',
    description:
      "Asks each tag's registry, with one HEAD request per tag (as registries.conf routes a pull: mirrors, then the registry), which digest the tag names now, and compares it with the stored one: current, stale (the tag moved), platform unchanged (the tag's index moved but the stored platform's image did not), local only (the registry does not have the tag), login needed, rate-limited (with the registry's RateLimit-Remaining), unreachable, or unknown (no Docker-Content-Digest). No manifest is downloaded, except one: when the tag's index moved and the store holds only some of its platforms, that index is fetched (a GET, counted by Docker Hub) to compare the stored platform, and the output says so (indexFetched); --head-only skips it and reports stale. A 429 is not retried at once: the registry is left alone until its Retry-After. Without REF, every tagged image in the store is checked, four at a time (two per registry). Exits 0 when the checks ran, whatever they found (1 when a REF is not in the store, 2 when it names no tagged image); docs/freshness.md.",
    options: [
      {
        flag: '--head-only',
        description: 'Never fetch a moved index to compare the stored platform: report it stale (no manifest GET at all)',
      },
      TLS_VERIFY,
      CERT_DIR,
      { flag: '-q, --quiet', description: 'Print no progress on stderr, only the result' },
      FORMAT_JSON,
    ],
    examples: [
      { command: 'deckhand outdated' },
      { command: 'deckhand outdated docker.io/library/nginx:1.25 --format json', note: 'reference, localDigest, remoteDigest and state' },
      { command: 'deckhand outdated --head-only', note: 'HEAD requests only, never a manifest GET' },
    ],
  },
  inspect: {
    summary: 'Show an image: manifest, config, platforms, layers and history',
    usage: 'deckhand inspect REF [--format json]',
    description:
      'Shows a stored image, named by reference, digest or ID prefix: its manifest, config (entrypoint, command, environment, labels), platforms, and each layer with the step that created it. With --engine, an image of that engine, by name or ID.',
    options: [FORMAT_JSON],
    examples: [{ command: 'deckhand inspect alpine:3.20' }],
  },
  rmi: {
    summary: 'Remove images by name, digest or ID; frees blobs no other image uses',
    usage: 'deckhand rmi REF... [--force] [--format json]',
    description:
      'Removes stored images and deletes the blobs no other image, and no running operation, still uses; prints what it removed and the bytes freed. With --engine, the engine removes them by its rules, never forced: an image a container uses is refused, naming the containers.',
    options: [
      { flag: '-f, --force', description: 'Remove every image a name or ID prefix matches instead of refusing when it matches several' },
      FORMAT_JSON,
    ],
    examples: [{ command: 'deckhand rmi alpine:3.20' }, { command: 'deckhand rmi --engine docker old-build:1' }],
  },
  fsck: {
    summary: 'Verify every stored image (blobs present, sizes and digests correct); --repair fixes what is safe to fix',
    usage: 'deckhand fsck [--repair] [--format json]',
    description:
      "Checks that every stored image's blobs exist with the right sizes and digests, and reports unreferenced blobs and interrupted downloads. Exits 0 only when every image is whole.",
    options: [
      {
        flag: '--repair',
        description: 'Delete damaged and unreferenced blobs and stale downloads, and name the images to pull again',
      },
      FORMAT_JSON,
    ],
    examples: [{ command: 'deckhand fsck' }, { command: 'deckhand fsck --repair' }],
  },
  df: {
    summary: 'Show where the disk space goes: per image total, shared and unique bytes',
    usage: 'deckhand df [--format json]',
    description:
      'Shows the store’s size and, per image, its stored size, the bytes it shares with other images and the bytes only it uses (what removing it frees), every blob counted once; and what prune would reclaim. With --engine, the engine’s own numbers as its `system df -v` reports them, and the containers using each image.',
    options: [FORMAT_JSON],
    examples: [{ command: 'deckhand df' }, { command: 'deckhand df --engine unix:///run/user/1000/podman/podman.sock' }],
  },
  tree: {
    summary: "Show an image's layers like `podman image tree`; --whatrequires shows images built on it",
    usage: 'deckhand tree REF [--whatrequires] [--format json]',
    description:
      "Prints a stored image's layer chain as podman image tree does: each layer's ID and unpacked size, and the images it is the top layer of. With --engine, an image of that engine (layers by chain ID, sizes unpacked as the engine counts them).",
    options: [{ flag: '--whatrequires', description: 'Show the images built on top of REF instead of its layers' }, FORMAT_JSON],
    examples: [{ command: 'deckhand tree alpine:3.20' }, { command: 'deckhand tree --whatrequires alpine:3.20' }],
  },
  layers: {
    summary: "Show what each layer of an image adds, changes and removes, and the image's wasted space and efficiency score, like dive",
    usage:
      'deckhand layers REF [--files] [--platform os/arch[/variant]] [--ci [--lowest-efficiency 0.9] [--highest-wasted-bytes SIZE] [--highest-user-wasted-percent 0.1]] [--format json]',
    description:
      "Reads every layer of a stored image once (gzip, zstd or plain tar; layers already read come from a cache) and prints, per layer, its size, the step that created it and how many files it added, modified and removed, with their bytes; then dive's efficiency score, the wasted bytes and the share of the bytes above the first layer they are, and the paths that waste them. Opaque directories, which dive ignores, hide what the layers below had there (docs/layers.md). With --ci, dive's CI rules decide the exit status: 1, naming the rule that failed. With --engine, an image of that engine: exported into a temporary store of its own (every blob checked), analysed, and the temporary store removed.",
    options: [
      {
        flag: '--files',
        description:
          'List every path each layer added, modified or removed (JSON: every entry with its type, mode, owner, size and link target)',
      },
      PLATFORM,
      { flag: '--ci', description: "Check dive's CI rules and exit 1 when one fails" },
      {
        flag: '--lowest-efficiency N',
        description: 'Fail when the efficiency score is below N, 0 to 1 (default 0.9; "disabled" turns it off)',
      },
      {
        flag: '--highest-wasted-bytes SIZE',
        description: 'Fail when more than SIZE bytes are wasted: 20MB, 20MiB, 1000 (default disabled)',
      },
      {
        flag: '--highest-user-wasted-percent N',
        description: 'Fail when the wasted bytes are more than N (0 to 1) of the bytes above the first layer (default 0.1)',
      },
      FORMAT_JSON,
    ],
    examples: [
      { command: 'deckhand layers alpine:3.20' },
      { command: 'deckhand layers --files --format json myapp:latest' },
      {
        command: 'deckhand layers --ci --highest-wasted-bytes 20MB myapp:latest',
        note: 'Exit 1 when the image wastes more than 20 MB or fails another CI rule',
      },
    ],
  },
  prune: {
    summary: 'Remove dangling images, unused blobs and stale downloads (--all: tagged images too); shows exactly what it frees',
    usage: 'deckhand prune [--all] [--filter until=DURATION] [--filter label=K[=V]] [--keep-last N] [--dry-run] [--format json]',
    description:
      'Removes dangling images, blobs no image uses and interrupted downloads untouched for an hour, and prints each image and blob it removes, why, and the bytes freed. Blobs a running pull, push or copy holds are never removed. With --engine, the engine prunes by its own rules (docker: untagged images nothing is built on; podman: untagged images without children, repeated) and --dry-run shows what it would remove and the bytes it would report.',
    options: [
      { flag: '--all', description: 'Remove tagged images too (those the filters match)' },
      { flag: '--filter until=DURATION', description: 'Only images created (or pulled) more than DURATION ago: 30m, 12h, 7d' },
      { flag: '--filter label=K[=V]', description: 'Only images with the label K (and the value V when given)' },
      { flag: '--keep-last N', description: 'Keep the N newest images of each repository, whatever the filters say' },
      { flag: '--dry-run', description: 'Print what would be removed and remove nothing' },
      FORMAT_JSON,
    ],
    examples: [
      { command: 'deckhand prune --dry-run' },
      { command: 'deckhand prune --all --filter until=7d --keep-last 2', note: 'images older than a week, keeping two per repository' },
    ],
  },
  save: {
    summary: 'Write stored images to an archive file (oci-archive, or docker-archive for docker load)',
    usage: 'deckhand save REF... -o FILE [--format oci-archive|docker-archive|json] [--platform os/arch[/variant]] [--present-platforms]',
    description:
      'Writes stored images to a tar archive: an oci-archive (every stored platform) or a docker-archive (one platform, for docker load).',
    options: [
      { flag: '-o, --output FILE', description: 'The archive to write (required)' },
      { flag: '--format oci-archive|docker-archive', description: 'The archive format (default: oci-archive)' },
      { flag: '--format json', description: 'Print the result as JSON (may be given besides the archive format)' },
      {
        flag: '--platform os/arch[/variant]',
        description: "docker-archive: the platform to write from a multi-platform image (default: this machine's)",
      },
      {
        flag: '--present-platforms',
        description: 'Write the stored platforms of a partly pulled index as a new index instead of refusing',
      },
    ],
    examples: [
      { command: 'deckhand save alpine:3.20 -o alpine.tar' },
      { command: 'deckhand save app:1.0 -o app.tar --format docker-archive', note: 'for docker load' },
    ],
  },
  load: {
    summary: 'Load images from an archive (docker save, podman save, deckhand save; gzip or not)',
    usage: 'deckhand load -i FILE [--format json]',
    description:
      'Stores the images of an oci-archive or docker-archive, gzip’d or not. The whole archive is checked before anything is stored: unsafe names, links, truncation and digests that do not match are refused.',
    options: [{ flag: '-i, --input FILE', description: 'The archive to read (or give it as the only argument)' }, FORMAT_JSON],
    examples: [
      { command: 'deckhand load -i alpine.tar' },
      { command: 'docker save app:1.0 | gzip > app.tar.gz && deckhand load -i app.tar.gz' },
    ],
  },
  manifest: {
    summary: 'Make a multi-platform image (a manifest list) from stored images, edit it, and push it with its images',
    usage:
      'deckhand manifest (create LIST [IMAGE...] | add LIST IMAGE | annotate LIST DIGEST | remove LIST DIGEST | inspect LIST | rm LIST | push LIST DEST) [--all[=false]] [--os OS] [--arch ARCH] [--variant V] [--os-version V] [--features F] [--annotation K=V] [--index] [--tls-verify=false] [--cert-dir DIR] [--quiet] [--format json]',
    description:
      "Combines stored images into one multi-platform image, as podman manifest does: `create` names a new list (of the IMAGEs given, or empty), `add` and `remove` change its entries, `annotate` changes an entry's platform or annotations (or, with --index, the list's), `inspect` prints the list, `rm` removes the list (its images stay while something else uses them) and `push` sends it to DEST. Each entry's platform comes from its image's config; --os, --arch, --variant, --os-version and --features override it, and are checked against the platforms containerd knows. The list is an OCI image index unless an entry has --features, which needs a Docker manifest list. The list is a stored image: it keeps its images from rmi and prune until it is removed. See docs/manifest-lists.md.",
    options: [
      {
        flag: '--all[=false]',
        description:
          "create, add: from a multi-platform IMAGE, every platform (default: this machine's); push: the images too (default), --all=false: the list alone, refused unless DEST has every image",
      },
      { flag: '--os OS', description: 'add, annotate: the operating system of the entry (linux, windows, …)' },
      { flag: '--arch ARCH', description: 'add, annotate: the architecture of the entry (amd64, arm64, arm, …)' },
      { flag: '--variant V', description: 'add, annotate: the CPU variant of the entry (arm: v6, v7; arm64: v8; amd64: v2, v3)' },
      { flag: '--os-version V', description: 'add, annotate: the operating system version the entry needs (Windows builds)' },
      {
        flag: '--features F',
        description: 'add, annotate: features the entry needs, comma-separated (makes the list a Docker manifest list)',
      },
      {
        flag: '--annotation K=V',
        description: 'create, add, annotate: an annotation (repeatable); with create or --index, on the list itself',
      },
      { flag: '--index', description: 'annotate: put the annotations on the list instead of an entry' },
      TLS_VERIFY,
      CERT_DIR,
      QUIET,
      FORMAT_JSON,
    ],
    examples: [
      { command: 'deckhand manifest create team/app:1.0 app:arm64 app:amd64', note: 'a list of two stored images' },
      { command: 'deckhand manifest annotate team/app:1.0 sha256:3f2a --variant v8' },
      { command: 'deckhand manifest inspect team/app:1.0' },
      { command: 'deckhand manifest push team/app:1.0 registry.example/team/app:1.0', note: 'every image, then the list' },
    ],
  },
  'generate-sigstore-key': {
    summary: 'Create a sigstore key pair (PREFIX.pub, PREFIX.private) for push --sign-by-sigstore-private-key',
    usage: 'deckhand generate-sigstore-key --output-prefix PREFIX [--passphrase-file FILE] [--format json]',
    description:
      'Writes an ECDSA P-256 key pair: PREFIX.pub (PEM public key) and PREFIX.private (encrypted as cosign and containers/image read it). It never overwrites a file.',
    options: [
      { flag: '--output-prefix PREFIX', description: 'Where to write the keys (required)' },
      {
        flag: '--passphrase-file FILE',
        description: 'Read the passphrase from the first line of FILE (else $COSIGN_PASSWORD, else a prompt)',
      },
      FORMAT_JSON,
    ],
    examples: [{ command: 'deckhand generate-sigstore-key --output-prefix team', note: 'writes team.pub and team.private' }],
  },
  login: {
    summary: 'Log in to a registry: check the credentials there, then save them',
    usage: 'deckhand login REGISTRY [-u USER] [--password-stdin] [--authfile F] [--tls-verify=false] [--format json]',
    description:
      'Checks the credentials against the registry, then saves them with the credential helper configured for it, else in auth.json (mode 0600). The password is read from stdin or prompted for without echo; it is never printed.',
    options: [
      { flag: '-u, --username USER', description: 'The user name (prompted for when absent)' },
      { flag: '--password-stdin', description: 'Read the password from stdin (needs -u)' },
      AUTHFILE,
      TLS_VERIFY,
      FORMAT_JSON,
    ],
    examples: [{ command: 'echo "$TOKEN" | deckhand login registry.example -u ci --password-stdin' }],
  },
  logout: {
    summary: 'Remove the saved login for a registry (or --all)',
    usage: 'deckhand logout (REGISTRY | --all) [--authfile F] [--format json]',
    description: 'Removes the saved login for REGISTRY from auth.json and from the credential helper configured for it.',
    options: [{ flag: '-a, --all', description: 'Remove every saved login' }, AUTHFILE, FORMAT_JSON],
    examples: [{ command: 'deckhand logout registry.example' }, { command: 'deckhand logout --all' }],
  },
  engines: {
    summary: 'List the Docker and Podman engines found on this machine, and whether each answers',
    usage: 'deckhand engines [--format json]',
    description:
      'Finds the Docker and Podman engines (DOCKER_HOST, Docker contexts, Docker Desktop and system sockets; CONTAINER_HOST, podman connections and machines, the rootless and rootful sockets), pings each at once and lists its name, kind, address, version, and why it does not answer. Give a name or address to --engine to work on that engine. docs/engines.md says how each is found.',
    options: [FORMAT_JSON],
    examples: [
      { command: 'deckhand engines' },
      { command: 'deckhand engines --format json', note: 'every field of each engine, for scripts' },
    ],
  },
} as const satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMAND_HELP;

/** The commands that take `--engine` and then work on that engine instead of the store. */
export const ENGINE_COMMANDS = ['images', 'inspect', 'tree', 'df', 'rmi', 'prune', 'push', 'copy', 'layers'] as const;

export function isEngineCommand(name: CommandName): boolean {
  return (ENGINE_COMMANDS as readonly string[]).includes(name);
}

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_HELP, name);
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionHelp[] = [
  { flag: '--store DIR', description: 'The store to use (default: $DECKHAND_STORE, else the per-user app data folder)' },
  {
    flag: '--engine NAME|URI',
    description:
      'Work on a Docker or Podman engine instead of the store (images, inspect, tree, df, rmi, prune, layers; push and copy take their docker-daemon: image from it): a name from `deckhand engines`, unix:///path/to.sock or tcp://host:port',
  },
  { flag: '-h, --help', description: 'Print this help' },
];

/** Lines of at most `width` characters (a longer word stands alone), each indented by `indent`. */
function wrap(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

function optionLines(options: readonly OptionHelp[]): string[] {
  const width = Math.max(...options.map((o) => o.flag.length));
  // Long flags line up under each other, as podman prints them: `-q, --quiet` and `    --format json`.
  const shown = options.map((o) => (o.flag.startsWith('--') ? `    ${o.flag}` : o.flag));
  return options.map((o, i) => `  ${shown[i]!.padEnd(width + 4)}  ${o.description}`);
}

/** `deckhand --help`: the commands and the global options. */
export function helpText(): string {
  const width = Math.max(...Object.keys(COMMAND_HELP).map((k) => k.length));
  return [
    'Usage: deckhand [--store DIR | --engine NAME|URI] COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...Object.entries(COMMAND_HELP).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    ...optionLines([...GLOBAL_OPTIONS, { flag: '--version', description: "Print Deckhand's version" }]),
    '',
    "Run `deckhand COMMAND --help` for a command's description, options and examples.",
  ].join('\n');
}

/** `deckhand COMMAND --help`, as podman prints it: summary, description, usage, examples, options. */
export function commandHelpText(name: CommandName): string {
  const c: CommandHelp = COMMAND_HELP[name];
  return [
    c.summary,
    '',
    'Description:',
    ...wrap(c.description, '  '),
    '',
    'Usage:',
    `  ${c.usage}`,
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e.command}${e.note ? `  # ${e.note}` : ''}`),
    '',
    'Options:',
    ...optionLines([...c.options, ...GLOBAL_OPTIONS]),
  ].join('\n');
}
