/**
 * The root of the SDK's errors that come from the chain or the caller (math errors keep their own class).
 * `shortMessage` is the readable sentence, `details` what the node or the library said, `cause` the original.
 */

/** Parameters of {@link SdkError}. */
export type SdkErrorParameters = {
  /** The readable sentence. */
  shortMessage: string;
  /** What the node or the library said, when it adds something. */
  details?: string;
  /** The original error. */
  cause?: unknown;
};

/** Base of the SDK's chain and input errors: narrow with `instanceof` or by `name`. */
export class SdkError extends Error {
  override name = "SdkError";
  /** The readable sentence, without details. */
  readonly shortMessage: string;
  /** What the node or the library said. */
  readonly details: string | undefined;

  /**
   * @param parameters - {@link SdkErrorParameters}
   */
  constructor({ shortMessage, details, cause }: SdkErrorParameters) {
    super(details === undefined || details === "" ? shortMessage : `${shortMessage}\n\nDetails: ${details}`, { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** Thrown before any call when an argument is invalid; nothing was sent and nothing changed. */
export class InvalidInputError extends SdkError {
  override name = "InvalidInputError" as const;
  /** The parameter at fault. */
  readonly parameter: string;

  /**
   * @param parameters - The parameter's name and what is wrong with it.
   */
  constructor({ parameter, reason }: { parameter: string; reason: string }) {
    super({ shortMessage: `invalid ${parameter}: ${reason}` });
    this.parameter = parameter;
  }
}

/** {@link InvalidInputError}, narrowed by name. */
export type InvalidInputErrorType = InvalidInputError & { name: "InvalidInputError" };

/** Thrown when the node could not be reached at all (connection refused or reset, timeout, DNS). */
export class NetworkError extends SdkError {
  override name = "NetworkError" as const;
  /** The endpoint, when known. */
  readonly url: string | undefined;

  /**
   * @param parameters - The endpoint, what failed and the original error.
   */
  constructor({ url, details, cause }: { url?: string | undefined; details?: string; cause?: unknown }) {
    super({ shortMessage: `network error${url === undefined ? "" : ` reaching ${url}`}: the node did not answer`, ...(details === undefined ? {} : { details }), cause });
    this.url = url;
  }
}

/** {@link NetworkError}, narrowed by name. */
export type NetworkErrorType = NetworkError & { name: "NetworkError" };

/** Thrown when the node answered with an error that is not a contract revert (bad request, nonce, funds, limits). */
export class RpcError extends SdkError {
  override name = "RpcError" as const;
  /** The JSON-RPC error code (or the HTTP status when the body held none). */
  readonly code: number | undefined;
  /** The endpoint, when known. */
  readonly url: string | undefined;

  /**
   * @param parameters - The code, the endpoint, the node's message and the original error.
   */
  constructor({ code, url, details, cause }: { code?: number | undefined; url?: string | undefined; details?: string; cause?: unknown }) {
    super({ shortMessage: `the node refused the request${code === undefined ? "" : ` (code ${code})`}`, ...(details === undefined ? {} : { details }), cause });
    this.code = code;
    this.url = url;
  }
}

/** {@link RpcError}, narrowed by name. */
export type RpcErrorType = RpcError & { name: "RpcError" };
