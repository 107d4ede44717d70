/** Small inline icons (no icon font: every platform draws them the same). */

export function CopyIcon() {
  return (
    <svg className="icon-svg" width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="5.5" y="5.5" width="8" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path
        d="M3.5 10.5h-.5A1.5 1.5 0 0 1 1.5 9V3A1.5 1.5 0 0 1 3 1.5h5A1.5 1.5 0 0 1 9.5 3v.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.3"
      />
    </svg>
  );
}

/** Deckhand's own store: a drive. */
export function StoreIcon() {
  return (
    <svg className="icon-svg" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="1.5" y="3.5" width="13" height="9" rx="2" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path d="M1.5 9.5h13" stroke="currentColor" strokeWidth="1.3" />
      <circle cx="12" cy="11" r="0.9" fill="currentColor" />
    </svg>
  );
}

/** A Docker engine: stacked containers. */
export function DockerIcon() {
  return (
    <svg className="icon-svg" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.2">
        <rect x="2" y="7" width="3.5" height="3" />
        <rect x="6" y="7" width="3.5" height="3" />
        <rect x="10" y="7" width="3.5" height="3" />
        <rect x="6" y="3.5" width="3.5" height="3" />
        <path d="M1 11.5c1.5 2.5 10 3 14-1.5" />
      </g>
    </svg>
  );
}

/** A Podman engine: a pod of three. */
export function PodmanIcon() {
  return (
    <svg className="icon-svg" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.2">
        <ellipse cx="8" cy="8" rx="6.5" ry="5" />
        <circle cx="5.3" cy="8" r="1.5" />
        <circle cx="8" cy="8" r="1.5" />
        <circle cx="10.7" cy="8" r="1.5" />
      </g>
    </svg>
  );
}
