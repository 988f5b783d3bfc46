import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  MAX_MARGIN_RAISE_PER_DAY_WAD,
  SECONDS_PER_DAY,
  TIER_BOUND_PRECISION,
  TOKEN_DECIMALS,
  TOKEN_TO_WAD,
  WAD,
  X1E4_TO_WAD,
} from "./constants.ts";

// The constants are read out of the Solidity sources, so this test fails when either side changes alone.
function solidity(path: string): string {
  return readFileSync(new URL(`../../contracts/${path}`, import.meta.url), "utf8");
}

/** The value of `<type> internal constant <name> = <literal>;` in a Solidity source (1e18, 86_400, 1000e4). */
function solidityConstant(source: string, name: string): bigint {
  const match = new RegExp(`constant\\s+${name}\\s*=\\s*([0-9_]+)(?:e([0-9]+))?\\s*;`).exec(source);
  assert.ok(match?.[1] !== undefined, `constant ${name} not found`);
  return BigInt(match[1].replaceAll("_", "")) * 10n ** BigInt(match[2] ?? "0");
}

describe("constants", () => {
  const fixedPoint = solidity("libraries/FixedPointMath.sol");
  const position = solidity("libraries/PositionMath.sol");
  const funding = solidity("libraries/FundingMath.sol");
  const risk = solidity("libraries/RiskBounds.sol");

  test("test_WAD_matchesFixedPointMath", () => {
    assert.equal(WAD, 10n ** 18n);
    assert.equal(solidityConstant(fixedPoint, "WAD"), WAD);
    assert.equal(solidityConstant(fixedPoint, "SWAD"), WAD);
    assert.equal(solidityConstant(position, "SWAD"), WAD);
    assert.equal(solidityConstant(funding, "SWAD"), WAD);
  });

  test("test_SECONDS_PER_DAY_matchesFundingMath", () => {
    assert.equal(solidityConstant(funding, "SECONDS_PER_DAY"), SECONDS_PER_DAY);
    assert.equal(SECONDS_PER_DAY, 86_400n);
  });

  test("test_tierBoundPrecisions_matchPositionMathAndRiskBounds", () => {
    assert.equal(solidityConstant(position, "X1E4_TO_WAD"), X1E4_TO_WAD);
    assert.equal(solidityConstant(risk, "LEVERAGE_ONE_X1E4"), TIER_BOUND_PRECISION);
    assert.equal(TIER_BOUND_PRECISION * X1E4_TO_WAD, WAD);
  });

  test("test_MAX_MARGIN_RAISE_PER_DAY_WAD_matchesRiskBounds", () => {
    assert.equal(solidityConstant(risk, "MAX_MARGIN_RAISE_PER_DAY"), MAX_MARGIN_RAISE_PER_DAY_WAD);
  });

  test("test_TOKEN_TO_WAD_matchesTheCollateralDecimals", () => {
    const usdc = /function decimals\(\)[^{]*\{\s*return\s+(\d+)\s*;/.exec(solidity("mocks/MockUSDC.sol"));
    assert.equal(Number(usdc?.[1]), TOKEN_DECIMALS);
    // PerpEngine: TOKEN_TO_WAD = 10 ** (18 − decimals)
    assert.equal(TOKEN_TO_WAD, 10n ** BigInt(18 - TOKEN_DECIMALS));
  });
});
