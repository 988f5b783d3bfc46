import { test } from "node:test";
import assert from "node:assert/strict";
import { assetOf, parsePrices, PriceFileError, loadPrices } from "./prices.ts";

const parseError = (text: string): PriceFileError => {
  try {
    parsePrices(text, "x.csv");
  } catch (error) {
    assert.ok(error instanceof PriceFileError);
    return error;
  }
  assert.fail("expected a PriceFileError");
};

test("parsePrices_readsRowsAsWad", () => {
  const p = parsePrices("timestamp,price\n100,26.68\n101,0.00004\n", "avax-1.csv");
  assert.equal(p.asset, "AVAX");
  assert.deepEqual(p.rows.map((r) => [r.timestampSec, r.priceWad, r.line]), [
    [100, 26_680_000_000_000_000_000n, 2],
    [101, 40_000_000_000_000n, 3],
  ]);
});

test("parsePrices_rejectsAMissingHeader", () => {
  const e = parseError("100,26.68\n101,26.6\n");
  assert.equal(e.line, 1);
  assert.match(e.message, /x\.csv:1: expected the header "timestamp,price"/);
});

test("parsePrices_rejectsANonNumericPriceNamingItsLine", () => {
  const e = parseError("timestamp,price\n100,26.68\n101,abc\n");
  assert.equal(e.line, 3);
  assert.match(e.message, /price "abc" is not a number/);
});

test("parsePrices_rejectsNonPositivePrices", () => {
  assert.equal(parseError("timestamp,price\n100,0\n101,1\n").line, 2);
  assert.match(parseError("timestamp,price\n100,1\n101,-2\n").message, /x\.csv:3: price "-2" is not a number/);
});

test("parsePrices_rejectsDuplicateAndUnsortedTimestamps", () => {
  const dup = parseError("timestamp,price\n100,1\n100,2\n");
  assert.equal(dup.line, 3);
  assert.match(dup.message, /duplicate timestamp 100 \(also on line 2\)/);
  const unsorted = parseError("timestamp,price\n100,1\n102,2\n101,3\n");
  assert.equal(unsorted.line, 4);
  assert.match(unsorted.message, /must be sorted/);
});

test("parsePrices_rejectsBadTimestampsAndColumns", () => {
  assert.match(parseError("timestamp,price\n1.5,1\n2,1\n").message, /x\.csv:2: timestamp "1.5"/);
  assert.match(parseError("timestamp,price\n1,1,1\n2,1\n").message, /expected 2 columns/);
  assert.match(parseError("timestamp,price\n1,1\n").message, /at least 2 price rows/);
});

test("loadPrices_readsEveryShippedFile", async () => {
  for (const f of ["avax-2025-10-10-1s.csv", "luna-2022-05-09-1m.csv", "btc-2020-03-12-1m.csv"]) {
    const p = await loadPrices(new URL(`../../data/prices/${f}`, import.meta.url).pathname);
    assert.ok(p.rows.length > 100);
  }
  await assert.rejects(loadPrices("/nonexistent.csv"), (e: unknown) => e instanceof PriceFileError && /cannot read the file/.test(e.message));
});

test("assetOf_takesTheFileNamesFirstWord", () => {
  assert.equal(assetOf("data/prices/eth-2025-10-10-1s.csv"), "ETH");
  assert.equal(assetOf("/tmp/---.csv"), "ASSET");
});
