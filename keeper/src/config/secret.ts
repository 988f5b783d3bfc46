import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A value that must never reach a log, an error message or a serialised config: `String()`, `JSON.stringify`,
 * `util.inspect` (console.log) and template literals all print `[redacted]`. Read the value with {@link Secret.reveal},
 * only where it is used (signing).
 */
export class Secret<T> {
  readonly #value: T;

  /** @param value - The secret. */
  constructor(value: T) {
    this.#value = value;
  }

  /** The secret itself; call it only where the value is used. */
  reveal(): T {
    return this.#value;
  }

  /** Always `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[redacted]`. */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `[redacted]`, for `util.inspect` and console.log. */
  [inspect.custom](): string {
    return REDACTED;
  }
}
