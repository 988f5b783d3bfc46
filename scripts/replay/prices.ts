/**
 * Price files: a CSV with the header `timestamp,price` (unix seconds, USD), rows strictly ascending in time.
 * A file is checked whole before anything touches a chain, and every problem names its line.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseUnits } from "viem";

/** One row of a price file. */
export type PriceRow = {
  /** Unix seconds. */
  timestampSec: number;
  /** The price in USD, 18-decimal fixed point. */
  priceWad: bigint;
  /** The price as written in the file. */
  priceText: string;
  /** 1-based line number in the file. */
  line: number;
};

/** A validated price path. */
export type PricePath = {
  /** Where it was read from. */
  source: string;
  /** Asset symbol guessed from the file name (`avax-2025-10-10-1s.csv` → `AVAX`). */
  asset: string;
  rows: PriceRow[];
};

/** Thrown when a price file is malformed; `line` is the 1-based line at fault (0 for the file as a whole). */
export class PriceFileError extends Error {
  override name = "PriceFileError" as const;
  readonly source: string;
  readonly line: number;
  readonly reason: string;
  constructor(source: string, line: number, reason: string) {
    super(line > 0 ? `${source}:${line}: ${reason}` : `${source}: ${reason}`);
    this.source = source;
    this.line = line;
    this.reason = reason;
  }
}

const DECIMAL = /^(\d+)(\.\d+)?([eE][-+]?\d+)?$/;
const INTEGER = /^\d+$/;

/** A decimal string (plain or with an exponent) as an 18-decimal bigint, or undefined when not a number. */
function toWad(text: string): bigint | undefined {
  if (!DECIMAL.test(text)) return undefined;
  // Exponent forms (4e-05) go through Number's exact decimal expansion, which is safe for these magnitudes.
  const plain = /[eE]/.test(text) ? Number(text).toFixed(18) : text;
  const [whole, fraction = ""] = plain.split(".");
  return parseUnits(`${whole}.${fraction.slice(0, 18) || "0"}`, 18);
}

/**
 * Parses and validates a price CSV held in memory.
 * @param text - The file's contents.
 * @param source - A name for messages (the path).
 * @returns The rows, ascending in time.
 * @throws {PriceFileError} on a missing or wrong header, a wrong column count, a non-integer timestamp, a
 * non-numeric or non-positive price, or a timestamp not strictly after the previous one.
 */
export function parsePrices(text: string, source: string): PricePath {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim().toLowerCase().replace(/\s+/g, "");
  if (header !== "timestamp,price") {
    throw new PriceFileError(source, 1, `expected the header "timestamp,price", found "${lines[0] ?? ""}"`);
  }
  const rows: PriceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].trim();
    const line = i + 1;
    if (raw === "") {
      if (i === lines.length - 1) break; // the final newline
      throw new PriceFileError(source, line, "empty line");
    }
    const cells = raw.split(",").map((c) => c.trim());
    if (cells.length !== 2) throw new PriceFileError(source, line, `expected 2 columns (timestamp,price), found ${cells.length}`);
    const [ts, price] = cells;
    if (!INTEGER.test(ts)) throw new PriceFileError(source, line, `timestamp "${ts}" is not a whole number of unix seconds`);
    const priceWad = toWad(price);
    if (priceWad === undefined) throw new PriceFileError(source, line, `price "${price}" is not a number`);
    if (priceWad <= 0n) throw new PriceFileError(source, line, `price "${price}" is not positive`);
    const timestampSec = Number(ts);
    const previous = rows.at(-1);
    if (previous && timestampSec === previous.timestampSec) {
      throw new PriceFileError(source, line, `duplicate timestamp ${ts} (also on line ${previous.line})`);
    }
    if (previous && timestampSec < previous.timestampSec) {
      throw new PriceFileError(source, line, `timestamp ${ts} is before the previous row's ${previous.timestampSec} (line ${previous.line}): rows must be sorted`);
    }
    rows.push({ timestampSec, priceWad, priceText: price, line });
  }
  if (rows.length < 2) throw new PriceFileError(source, 0, `needs at least 2 price rows, found ${rows.length}`);
  return { source, asset: assetOf(source), rows };
}

/** The asset symbol a price file's name starts with, upper-cased (`eth-2025-10-10-1s.csv` → `ETH`). */
export function assetOf(path: string): string {
  const name = basename(path).replace(/\.csv$/i, "");
  const head = name.split(/[-_.]/)[0] ?? "";
  return /^[a-z0-9]{2,10}$/i.test(head) ? head.toUpperCase() : "ASSET";
}

/**
 * Reads and validates a price CSV from disk.
 * @throws {PriceFileError} when the file cannot be read or is malformed.
 */
export async function loadPrices(path: string): Promise<PricePath> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PriceFileError(path, 0, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parsePrices(text, path);
}
