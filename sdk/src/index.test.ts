import assert from "node:assert/strict";
import { test } from "node:test";

import * as sdk from "./index.ts";

// A change to the public surface must show up in review: update this list on purpose.
test("test_index_exportsExactlyThePublicSurface", () => {
  assert.deepEqual(Object.keys(sdk).sort(), [
    "MAX_MARGIN_RAISE_PER_DAY_WAD",
    "SECONDS_PER_DAY",
    "SdkMathError",
    "TIER_BOUND_PRECISION",
    "TOKEN_DECIMALS",
    "TOKEN_TO_WAD",
    "WAD",
    "X1E4_TO_WAD",
    "abs",
    "bankruptcyPrice",
    "chosenLeverage",
    "divDown",
    "divUp",
    "equity",
    "fee",
    "feeFloor",
    "fillPrice",
    "increasedJ",
    "indexDelta",
    "isCompliant",
    "isLiquidatable",
    "k",
    "liquidationPrice",
    "liquidationThresholdK",
    "maxRaise",
    "mulDivDown",
    "mulDivUp",
    "notionalDown",
    "notionalUp",
    "pnl",
    "ratePerDay",
    "requiredImr",
    "requiredMargin",
    "requiredMmr",
    "sMulDown",
    "sMulUp",
    "skewRatio",
    "sliceMargin",
    "tierOf",
    "wDivDown",
    "wDivUp",
    "wMulDown",
    "wMulUp",
  ]);
});
