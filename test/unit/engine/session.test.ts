import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { BTC, ETH, TOKEN_TO_WAD, WAD, anyPrice, deployFunded, networkHelpers, tokens } from "../../helpers/fixture.js";
import {
  EMPTY_POSITION,
  abs,
  captureState,
  expectTradeOutcome,
  latestTimestamp,
  mined,
  pinNextTimestamp,
  positionOf,
  predictTrade,
  priceWadOf,
  scopeOf,
  marketOf,
  type PositionView,
  type Protocol,
} from "../../helpers/engine.js";

/** Mulberry32: a tiny seeded generator, so that a failing session replays exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Reverts a random session may legitimately run into: the engine's own limits on what a trader asks for. Any
 * other error (an oracle error, an arithmetic panic, a missing error) fails the test.
 */
const EXPECTED_ERRORS = new Set([
  "BelowInitialMargin",
  "BelowMinNotional",
  "InsufficientFreeCollateral",
  "InsufficientMargin",
  "MarginBelowFee",
  "NegativeEquity",
  "OpenInterestCapExceeded",
  "ProceedsBelowFee",
  "VaultAtSolvencyFloor",
  "VaultExposureCapExceeded",
]);

type ActionKind =
  | "open"
  | "increase"
  | "decrease"
  | "flip"
  | "close"
  | "addMargin"
  | "depositAndAddMargin"
  | "removeMargin"
  | "applyTierDrop"
  | "priceMove"
  | "timeWarp"
  | "poke";

const WEIGHTS: [ActionKind, number][] = [
  ["open", 8],
  ["increase", 10],
  ["decrease", 10],
  ["flip", 6],
  ["close", 7],
  ["addMargin", 7],
  ["depositAndAddMargin", 3],
  ["removeMargin", 7],
  ["applyTierDrop", 4],
  ["priceMove", 14],
  ["timeWarp", 10],
  ["poke", 4],
];

const POSITION_ACTIONS = new Set<ActionKind>([
  "increase",
  "decrease",
  "flip",
  "close",
  "addMargin",
  "depositAndAddMargin",
  "removeMargin",
]);

const STEPS = 120;

/** The custom error's name if `error` carries revert data one of the contracts declares. */
function customErrorName(d: Protocol, error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("data" in error) || typeof error.data !== "string")
    return undefined;
  const data = error.data;
  return (d.engine.interface.parseError(data) ?? d.registry.interface.parseError(data))?.name;
}

describe("PerpEngine positions rebuilt from events", () => {
  it("test_PositionUpdated_rebuildsEveryPositionAfterARandomSession", async () => {
    const d = await networkHelpers.loadFixture(deployFunded);
    const random = seededRandom(0x5eed);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const traders = [d.alice, d.bob, d.carol];
    const markets = [ETH, BTC];
    const feeds = { [ETH.toString()]: d.ethFeed, [BTC.toString()]: d.btcFeed };
    const executed = new Map<ActionKind, number>();
    let skipped = 0;

    for (const trader of traders) await d.engine.connect(trader).deposit(tokens(400_000));

    /** Every transaction goes one second after the previous block, so the whole session is deterministic. */
    const send = async (tx: () => Promise<ContractTransactionResponse>) => {
      await pinNextTimestamp();
      return mined(tx());
    };

    /** Runs an action; an expected custom error skips it, anything else fails the session. */
    const attempt = async (kind: ActionKind, action: () => Promise<unknown>) => {
      try {
        await action();
        executed.set(kind, (executed.get(kind) ?? 0) + 1);
      } catch (error) {
        const name = customErrorName(d, error);
        if (name === undefined || !EXPECTED_ERRORS.has(name)) throw error;
        skipped += 1;
      }
    };

    /** Sends a trade and checks it against the reference model. */
    const tradeChecked = async (
      trader: Protocol["alice"],
      marketId: bigint,
      sizeDeltaWad: bigint,
      marginWad: bigint
    ) => {
      const before = await captureState(scopeOf(d));
      const predicted = await predictTrade(d, { account: trader.address, marketId, sizeDeltaWad, marginWad });
      const receipt = await mined(
        d.engine.connect(trader).trade(marketId, sizeDeltaWad, marginWad, anyPrice(sizeDeltaWad), [])
      );
      await expectTradeOutcome({ d, account: trader.address, marketId, predicted, receipt, before });
    };

    /** Sends a whole close and checks it against the reference model. */
    const closeChecked = async (trader: Protocol["alice"], marketId: bigint, sizeWad: bigint) => {
      const before = await captureState(scopeOf(d));
      const predicted = await predictTrade(d, {
        account: trader.address,
        marketId,
        sizeDeltaWad: -sizeWad,
        marginWad: 0n,
      });
      const receipt = await mined(d.engine.connect(trader).closePosition(marketId, anyPrice(-sizeWad)));
      await expectTradeOutcome({ d, account: trader.address, marketId, predicted, receipt, before });
    };

    /** A random order of $1,500–$60,000 notional at 2–70x, as (size, collateral with room for the fee). */
    const randomOrder = async (marketId: bigint) => {
      const notionalWad = BigInt(int(1_500, 60_000)) * WAD;
      const sizeWad = (notionalWad * WAD) / (await priceWadOf(d, marketId));
      const marginWad = notionalWad / BigInt(int(2, 70)) + notionalWad / 1000n;
      return { sizeWad, marginWad };
    };

    for (let step = 0; step < STEPS; step++) {
      const trader = pick(traders);
      const marketId = pick(markets);
      const p = await positionOf(d.engine, trader.address, marketId);
      const sign = p.sizeWad > 0n ? 1n : -1n;
      // Position actions on an empty slot become opens, and opens on a taken slot become increases.
      let kind = pickWeighted(random);
      if (p.sizeWad === 0n && POSITION_ACTIONS.has(kind)) kind = "open";
      if (p.sizeWad !== 0n && kind === "open") kind = "increase";

      switch (kind) {
        case "open": {
          const order = await randomOrder(marketId);
          const side = random() < 0.5 ? 1n : -1n;
          await attempt(kind, () => tradeChecked(trader, marketId, side * order.sizeWad, order.marginWad));
          break;
        }
        case "increase": {
          const order = await randomOrder(marketId);
          await attempt(kind, () => tradeChecked(trader, marketId, sign * order.sizeWad, order.marginWad));
          break;
        }
        case "decrease": {
          const closeWad = (abs(p.sizeWad) * BigInt(int(10, 90))) / 100n;
          await attempt(kind, () => tradeChecked(trader, marketId, -sign * closeWad, 0n));
          break;
        }
        case "flip": {
          const order = await randomOrder(marketId);
          await attempt(kind, () => tradeChecked(trader, marketId, -p.sizeWad - sign * order.sizeWad, order.marginWad));
          break;
        }
        case "close": {
          await attempt(kind, () => closeChecked(trader, marketId, p.sizeWad));
          break;
        }
        case "addMargin": {
          await attempt(kind, () =>
            send(() => d.engine.connect(trader).addMargin(marketId, BigInt(int(50, 3000)) * WAD))
          );
          break;
        }
        case "depositAndAddMargin": {
          await attempt(kind, () =>
            send(() => d.engine.connect(trader).depositAndAddMargin(marketId, tokens(int(50, 2000))))
          );
          break;
        }
        case "removeMargin": {
          const amountWad = (p.marginWad * BigInt(int(5, 60))) / 100n;
          await attempt(kind, () => send(() => d.engine.connect(trader).removeMargin(marketId, amountWad, [])));
          break;
        }
        case "applyTierDrop": {
          const delay = (await d.registry.protocolConfig()).tierDropDelay;
          const now = await latestTimestamp();
          for (const t of traders) {
            for (const id of markets) {
              const q = await positionOf(d.engine, t.address, id);
              if (q.pendingTierSince === 0n || now + 1n < q.pendingTierSince + delay) continue;
              await attempt(kind, () => send(() => d.engine.connect(d.keeper).applyTierDrop(t.address, id, [])));
            }
          }
          break;
        }
        case "priceMove": {
          for (const id of markets) {
            const feed = feeds[id.toString()];
            const [, answer] = await feed.latestRoundData();
            const moved = (answer * BigInt(10_000 + int(-250, 250))) / 10_000n;
            await send(() => feed.setPrice(moved));
          }
          executed.set(kind, (executed.get(kind) ?? 0) + 1);
          break;
        }
        case "timeWarp": {
          await networkHelpers.time.increaseTo((await latestTimestamp()) + BigInt(int(60, 3000)));
          // The feeds republish within their heartbeat, as real ones do.
          for (const id of markets) {
            const feed = feeds[id.toString()];
            const [, answer] = await feed.latestRoundData();
            await send(() => feed.setPrice(answer));
          }
          executed.set(kind, (executed.get(kind) ?? 0) + 1);
          break;
        }
        case "poke": {
          await send(() => d.engine.connect(d.keeper).poke(marketId));
          executed.set(kind, (executed.get(kind) ?? 0) + 1);
          break;
        }
      }
    }

    // The session must have exercised every kind of change, or the rebuild below proves little.
    for (const [kind] of WEIGHTS) {
      expect(executed.get(kind) ?? 0, kind).to.be.greaterThan(0);
    }
    const total = [...executed.values()].reduce((a, b) => a + b, 0);
    expect(total).to.be.at.least(60);
    expect(skipped).to.be.lessThan(total);

    // Rebuild every position from PositionUpdated alone: the last event per (account, market) is its state.
    const rebuilt = new Map<string, PositionView>();
    for (const log of await d.engine.queryFilter(d.engine.filters.PositionUpdated, 0, "latest")) {
      const e = log.args;
      rebuilt.set(`${e.account}/${e.marketId}`, {
        sizeWad: e.sizeWad,
        marginWad: e.marginWad,
        jWad: e.jWad,
        f0Wad: e.f0Wad,
        tier: e.tier,
        pendingTier: e.pendingTier,
        pendingTierSince: e.pendingTierSince,
        inLiquidation: false,
      });
    }
    let open = 0;
    let marginsWad = 0n;
    for (const id of markets) {
      let longs = 0n;
      let shorts = 0n;
      let longJSum = 0n;
      let shortJSum = 0n;
      for (const t of traders) {
        const stored = await positionOf(d.engine, t.address, id);
        expect(rebuilt.get(`${t.address}/${id}`) ?? EMPTY_POSITION, `${t.address} in market ${id}`).to.deep.equal(
          stored
        );
        if (stored.sizeWad !== 0n) open += 1;
        marginsWad += stored.marginWad;
        if (stored.sizeWad > 0n) {
          longs += stored.sizeWad;
          longJSum += stored.sizeWad * stored.jWad;
        } else {
          shorts -= stored.sizeWad;
          shortJSum -= stored.sizeWad * stored.jWad;
        }
      }
      // The market's O(1) aggregates are exactly the sums over its positions.
      const m = await marketOf(d.engine, id);
      expect([m.longSizeWad, m.shortSizeWad, m.longJSum, m.shortJSum]).to.deep.equal([
        longs,
        shorts,
        longJSum,
        shortJSum,
      ]);
    }
    expect(open).to.be.greaterThan(0);

    // Conservation: every token the engine holds is in exactly one ledger (no path here creates dust).
    const s = await captureState(scopeOf(d));
    const freeWad = s.freeCollateralWad.reduce((a, b) => a + b, 0n);
    expect(s.engineTokenBalance * TOKEN_TO_WAD).to.equal(
      freeWad + marginsWad + s.insuranceFundWad + s.treasuryWad + s.vaultCashWad
    );
  });
});

function pickWeighted(random: () => number): ActionKind {
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [kind, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return WEIGHTS[WEIGHTS.length - 1][0];
}
