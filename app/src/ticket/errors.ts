/**
 * One readable sentence for anything a wallet action or a preview can throw: the SDK's decoded protocol errors
 * (with their values in units), its input errors, wallet rejections, and the ticket's own input errors.
 */
import { ProtocolError, SdkError } from "@open-waterfall/sdk";

import { AmountInputError } from "../format/input.ts";

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() ?? text;
}

function hasName(value: unknown, name: string): boolean {
  return typeof value === "object" && value !== null && (value as { name?: unknown }).name === name;
}

/**
 * The sentence to show for an error.
 *
 * @param error - Whatever was thrown.
 * @returns A short readable message.
 */
export function describeError(error: unknown): string {
  if (error instanceof ProtocolError) return `${error.reason} (${error.errorName})`;
  if (error instanceof AmountInputError) return `${error.field[0]?.toUpperCase() ?? ""}${error.field.slice(1)}: ${error.reason}`;
  if (error instanceof SdkError) return firstLine(error.shortMessage);
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause !== undefined; depth++) {
    if (hasName(cause, "UserRejectedRequestError")) return "The request was rejected in the wallet.";
    cause = (cause as { cause?: unknown } | null)?.cause;
  }
  if (error instanceof Error) {
    const short = (error as Error & { shortMessage?: unknown }).shortMessage;
    return firstLine(typeof short === "string" ? short : error.message);
  }
  return String(error);
}
