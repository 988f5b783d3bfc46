import assert from "node:assert/strict";
import { test } from "node:test";

import * as testing from "./index.ts";

// The testing subpath's surface, updated on purpose like the main one.
test("test_testingIndex_exportsExactlyTheTestingSurface", () => {
  assert.deepEqual(Object.keys(testing).sort(), ["DEV_MNEMONIC", "LocalNodeError", "Prng", "WaitTimeoutError", "deployProtocol", "devAccount", "findProjectRoot", "freePort", "startLocalNode", "waitFor"]);
});

test("test_devAccount_derivesTheNodesDefaultAccountsAndRejectsOthers", () => {
  assert.equal(testing.devAccount(0).address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  assert.throws(() => testing.devAccount(20), RangeError);
  assert.throws(() => testing.devAccount(1.5), RangeError);
});
