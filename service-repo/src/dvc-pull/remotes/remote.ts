/**
 * A DVC remote seen as an object store keyed by md5, read-only here (the modeling repository
 * pushes). Every kind uses DVC 3's layout `files/md5/<2 hex>/<30 hex>` under its root, the layout
 * `dvc push` writes.
 */
export interface Remote {
  /** The remote's URL, for messages. */
  readonly url: string;
  /** Downloads an object's bytes; the caller checks their md5 before using them. */
  download(md5: string): Promise<Uint8Array>;
}

/** A remote operation that failed: names the remote URL and the object. */
export class RemoteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteError';
  }
}

/** Joins a remote root and an object path with exactly one slash. */
export function joinUrl(root: string, path: string): string {
  return `${root.replace(/\/+$/, '')}/${path}`;
}
