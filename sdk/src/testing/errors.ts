/** Parameters of {@link LocalNodeError}. */
export type LocalNodeErrorParameters = {
  /** The node kind (or the tool) that failed. */
  kind: string;
  /** What went wrong, with the process's output when it helps. */
  details: string;
};

/** Thrown when a local node cannot be started or a deployment onto it fails. */
export class LocalNodeError extends Error {
  override readonly name = "LocalNodeError";
  /** The node kind (or the tool) that failed. */
  readonly kind: string;
  /** What went wrong. */
  readonly details: string;

  /**
   * @param parameters - {@link LocalNodeErrorParameters}
   */
  constructor({ kind, details }: LocalNodeErrorParameters) {
    super(`${kind}: ${details}`);
    this.kind = kind;
    this.details = details;
  }
}

/** {@link LocalNodeError}, narrowed by name. */
export type LocalNodeErrorType = LocalNodeError & { name: "LocalNodeError" };
