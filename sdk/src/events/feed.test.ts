import assert from "node:assert/strict";
import { test } from "node:test";

import { feedItems, type FeedLog } from "./feed.ts";

const W = 10n ** 18n;
const A = "0x1111111111111111111111111111111111111111" as const;
const B = "0x2222222222222222222222222222222222222222" as const;
const position = (blockNumber: bigint, logIndex: number) => ({
  address: A,
  blockNumber,
  blockHash: `0x${"0".repeat(64)}` as const,
  logIndex,
  transactionHash: `0x${blockNumber.toString(16).padStart(64, "0")}` as const,
  transactionIndex: 0,
  source: "engine" as const,
});

test("test_feedItems_newestFirstWithHaircutsAndPayers", () => {
  const logs = [
    {
      ...position(5n, 0),
      eventName: "Liquidated",
      args: { account: A, marketId: 1n, keeper: B, sizeClosedWad: 2n * W, priceWad: 3_500n * W, equityWad: -10n * W, keeperRewardWad: W, liquidationFeeWad: 0n, takenOverWad: W, adlSizeWad: W, remainingSizeWad: 0n },
    },
    {
      ...position(5n, 1),
      eventName: "AdlFill",
      args: { counterparty: B, marketId: 1n, liquidated: A, sizeWad: -W, priceWad: 3_500n * W, fillPriceWad: 3_510n * W, haircutWad: 10n * W, tier: 3 },
    },
    {
      ...position(6n, 0),
      eventName: "DeficitPaid",
      args: { account: A, marketId: 1n, deficitWad: 11n * W, insuranceWad: W, vaultWad: 0n, haircutWad: 10n * W, badDebtWad: 0n },
    },
  ] as unknown as FeedLog[];
  const items = feedItems({ logs, symbols: new Map([[1n, "ETH-USD"]]) });
  assert.deepEqual(
    items.map((i) => i.kind),
    ["deficit", "adl", "liquidation"]
  );
  assert.equal(items[1]?.text, "ETH-USD: ADL fill of 0x2222…2222 (tier 3), 1 ETH at $3,510.00 against 0x1111…1111; haircut $10.00");
  assert.equal(items[2]?.text, "ETH-USD: 0x1111…1111 liquidated, long 2 ETH at $3,500.00; equity −$10.00, vault took 1 ETH, ADL 1 ETH");
  assert.match(items[0]?.text ?? "", /insurance \$1\.00, vault \$0\.00, haircuts \$10\.00, bad debt \$0\.00/);
});
