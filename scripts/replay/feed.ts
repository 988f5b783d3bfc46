/**
 * When a Chainlink-style feed publishes: a new round when the price has moved by at least the deviation
 * threshold from the last published answer, or when the heartbeat has passed since the last round. With
 * `raw` every row of the price file becomes a round.
 */
import { WAD } from "./units.ts";

/** How rounds are chosen from the price path. */
export type FeedMode = "chainlink" | "raw";

/** Parameters of {@link FeedSchedule}. */
export type FeedScheduleParameters = {
  mode: FeedMode;
  /** Deviation threshold δ as an 18-decimal fraction (0.5% = 5e15). */
  deviationWad: bigint;
  /** Seconds after which a round is published even without a move. */
  heartbeatSec: number;
};

/** The state of a feed between rows: the last published answer and when it was published. */
export class FeedSchedule {
  private lastPriceWad: bigint | undefined;
  private lastTimeSec = 0;

  private readonly p: FeedScheduleParameters;

  constructor(p: FeedScheduleParameters) {
    this.p = p;
  }

  /** Records a round published outside the schedule (the starting price). */
  published(priceWad: bigint, timeSec: number): void {
    this.lastPriceWad = priceWad;
    this.lastTimeSec = timeSec;
  }

  /**
   * Whether a row publishes a round. Does not record it: call {@link published} once the round is sent.
   * @param priceWad - The row's price.
   * @param timeSec - The row's time.
   */
  isDue(priceWad: bigint, timeSec: number): boolean {
    if (this.lastPriceWad === undefined) return true;
    if (this.p.mode === "raw") return true;
    if (timeSec - this.lastTimeSec >= this.p.heartbeatSec) return true;
    const move = priceWad > this.lastPriceWad ? priceWad - this.lastPriceWad : this.lastPriceWad - priceWad;
    // |ΔP| / P_last ≥ δ, in integers.
    return move * WAD >= this.p.deviationWad * this.lastPriceWad;
  }

  /** The last published answer. */
  get lastPublishedWad(): bigint | undefined {
    return this.lastPriceWad;
  }
}
