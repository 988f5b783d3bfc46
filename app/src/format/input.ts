/**
 * Parsing what people type into amount fields: "1,000.5" → a fixed-point bigint, with a typed error that
 * names the field and the rule broken. Nothing is rounded: more decimals than the unit holds is an error.
 */

/** Thrown when a typed amount cannot be read. */
export class AmountInputError extends Error {
  override name = "AmountInputError" as const;
  /** The field at fault, e.g. "margin". */
  readonly field: string;
  /** The rule broken, e.g. "at most 6 decimals". */
  readonly reason: string;

  /**
   * @param field - The field at fault.
   * @param reason - The rule broken.
   */
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/** Parameters of {@link parseAmount}. */
export type ParseAmountParameters = {
  /** What was typed. */
  text: string;
  /** Decimals of the result (18 for WAD, 6 for the token). */
  decimals: number;
  /** The field's name, for the error. */
  field: string;
  /** Whether zero is accepted (default false). */
  allowZero?: boolean;
};

/**
 * A typed decimal amount as a fixed-point bigint: `parseAmount({ text: "1,000.5", decimals: 6, field: "amount" })`
 * → 1000500000n. Commas and surrounding spaces are ignored.
 *
 * @param parameters - {@link ParseAmountParameters}
 * @returns The amount, positive (or zero when allowed).
 * @throws {AmountInputError} When the text is empty, not a plain decimal, negative, zero (unless allowed) or has
 * more decimals than the unit holds.
 */
export function parseAmount({ text, decimals, field, allowZero = false }: ParseAmountParameters): bigint {
  const cleaned = text.trim().replace(/,/g, "");
  if (cleaned === "") throw new AmountInputError(field, "enter an amount");
  if (cleaned.startsWith("-")) throw new AmountInputError(field, "must not be negative");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (match === null || (match[1] === "" && (match[2] ?? "") === "")) {
    throw new AmountInputError(field, `"${text.trim()}" is not a number`);
  }
  const whole = match[1] === "" ? "0" : (match[1] ?? "0");
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) throw new AmountInputError(field, `at most ${decimals} decimals`);
  const value = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (value === 0n && !allowZero) throw new AmountInputError(field, "must be more than zero");
  return value;
}
