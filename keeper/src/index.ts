export {
  KIndex,
  liquidationThresholdK,
  type KIndexEntry,
  type LiquidationThresholdKParameters,
  type PositionId,
  type Side,
} from "./index/kIndex.ts";
