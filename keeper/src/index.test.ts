import assert from "node:assert/strict";
import { test } from "node:test";

import * as keeper from "./index.ts";

// A change to the package's exports must show up in review: update this list on purpose.
test("test_index_exportsExactlyThePublicSurface", () => {
  assert.deepEqual(Object.keys(keeper).sort(), [
    "AdlMirror",
    "ConfigError",
    "FIELDS",
    "KIndex",
    "PositionBook",
    "Secret",
    "SubmissionError",
    "TransactionManager",
    "countOutcomes",
    "createKeeper",
    "createLogger",
    "createMetrics",
    "fieldName",
    "liquidationThresholdK",
    "loadConfig",
    "parseConfig",
    "positionId",
    "startMetricsServer",
  ]);
});
