/** Parameters of {@link DeploymentError}. */
export type DeploymentErrorParameters = {
  /** The file or function the deployment came from. */
  source: string;
  /** What was wrong, with the offending value. */
  details: string;
};

/**
 * Thrown when a deployment cannot be read or is malformed (a missing file, a missing contract, a bad address).
 */
export class DeploymentError extends Error {
  override readonly name = "DeploymentError";
  /** The file or function the deployment came from. */
  readonly source: string;
  /** What was wrong. */
  readonly details: string;

  /**
   * @param parameters - {@link DeploymentErrorParameters}
   */
  constructor({ source, details }: DeploymentErrorParameters) {
    super(`invalid deployment (${source}): ${details}`);
    this.source = source;
    this.details = details;
  }
}

/** {@link DeploymentError}, narrowed by name. */
export type DeploymentErrorType = DeploymentError & { name: "DeploymentError" };
