export {
  KIndex,
  liquidationThresholdK,
  type KIndexEntry,
  type LiquidationThresholdKParameters,
  type PositionId,
  type Side,
} from "./index/kIndex.ts";
export {
  countOutcomes,
  createKeeper,
  type CreateKeeperParameters,
  type Keeper,
  type SentSummary,
  type TickResult,
} from "./keeper.ts";
export { FIELDS, type FieldSpec, type RawConfig, type RawConfigKey } from "./config/fields.ts";
export { fieldName, loadConfig, type LoadConfigParameters } from "./config/load.ts";
export {
  ConfigError,
  parseConfig,
  type DeploymentConfig,
  type Duties,
  type GasPolicy,
  type KeeperConfig,
} from "./config/schema.ts";
export { Secret } from "./config/secret.ts";
export { createLogger, type KeeperLogger } from "./log.ts";
export { createMetrics, type KeeperMetrics, type LiquidationOutcome } from "./metrics/metrics.ts";
export { startMetricsServer, type HealthReport, type MetricsServer } from "./metrics/server.ts";
export { SubmissionError, TransactionManager, type SentTx, type Settlement, type SignerClient, type TxKind, type TxRequest } from "./executor/txManager.ts";
export { PositionBook, positionId, type TrackedPosition } from "./state/positionBook.ts";
export { AdlMirror, type ListMember, type PredictedFill } from "./state/adlMirror.ts";
