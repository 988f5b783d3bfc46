/**
 * Differential test: random inputs through the SDK's math and through PositionMath as compiled (the Solidity
 * harness, deployed on anvil). Results must be equal to the wei, and the SDK must throw exactly where the
 * contract reverts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Chain, type HttpTransport, type PublicClient } from "viem";
import { foundry } from "viem/chains";

import { loadPositionMathHarness } from "../_test/harness.ts";
import { Prng } from "../testing/prng.ts";
import { WAD } from "../constants.ts";
import { SdkMathError } from "../errors/math.ts";
import { devAccount, findProjectRoot, startLocalNode, type LocalNode } from "../testing/index.ts";
import * as PM from "./position.ts";

const CASES = 150;
let node: LocalNode;
let client: PublicClient<HttpTransport, Chain>;
let harness: { address: Address; abi: Abi };

before(async () => {
  const projectRoot = findProjectRoot(process.cwd());
  const compiled = loadPositionMathHarness(projectRoot);
  node = await startLocalNode({ kind: "anvil", projectRoot });
  const chain = { ...foundry, id: node.chainId };
  client = createPublicClient({ chain, transport: http(node.rpcUrl) });
  const wallet = createWalletClient({ chain, account: devAccount(0), transport: http(node.rpcUrl) });
  const hash = await wallet.deployContract({ abi: compiled.abi, bytecode: compiled.bytecode });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  assert.ok(receipt.contractAddress);
  harness = { address: receipt.contractAddress, abi: compiled.abi };
});
after(async () => {
  await node?.stop();
});

type Outcome = { value: unknown } | { reverted: true };

async function onChain(functionName: string, args: readonly unknown[]): Promise<Outcome> {
  try {
    return { value: await client.readContract({ ...harness, functionName, args } as never) };
  } catch (error) {
    if ((error as Error).name === "ContractFunctionExecutionError") return { reverted: true };
    throw error;
  }
}

function inSdk(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof SdkMathError) return { reverted: true };
    throw error;
  }
}

/** Realistic magnitudes most of the time, extreme ones sometimes (to compare the revert boundaries too). */
function inputs(rng: Prng) {
  const extreme = rng.below(8n) === 0n;
  const unit = (maxUnits: bigint): bigint => (extreme ? rng.magnitude(Number(rng.between(64n, 255n))) : rng.between(1n, maxUnits * WAD));
  const signed = (maxUnits: bigint): bigint => (rng.boolean() ? unit(maxUnits) : -unit(maxUnits));
  const priceWad = unit(200_000n);
  const sizeWad = signed(10_000n);
  return {
    sizeWad,
    priceWad,
    marginWad: rng.below(4n) === 0n ? 0n : unit(10_000_000n),
    jWad: extreme ? signed(200_000n) : priceWad + rng.signedMagnitude(64) / 10n,
    fundingIndexWad: extreme ? signed(1_000n) : rng.signedMagnitude(70),
    f0Wad: rng.signedMagnitude(70),
    mmrWad: rng.between(10n ** 15n, 5n * 10n ** 17n),
    skewWad: signed(1_000_000n),
    skewScaleWad: extreme ? rng.below(4n) : unit(100_000_000n),
    rateWad: rng.between(0n, 10n ** 17n),
  };
}

const cases: [string, (x: ReturnType<typeof inputs>) => [readonly unknown[], () => unknown]][] = [
  ["pnl", (x) => [[x.sizeWad, x.jWad, x.fundingIndexWad, x.priceWad], () => PM.pnl(x)]],
  ["equity", (x) => [[x.sizeWad, x.marginWad, x.jWad, x.fundingIndexWad, x.priceWad], () => PM.equity(x)]],
  ["requiredMargin", (x) => [[x.sizeWad, x.priceWad, x.mmrWad], () => PM.requiredMargin({ ...x, ratioWad: x.mmrWad })]],
  ["k", (x) => [[x.sizeWad, x.marginWad, x.jWad], () => PM.k(x)]],
  ["bankruptcyPrice", (x) => [[x.sizeWad, x.marginWad, x.jWad, x.fundingIndexWad], () => PM.bankruptcyPrice(x)]],
  ["liquidationPrice", (x) => [[x.sizeWad, x.marginWad, x.jWad, x.fundingIndexWad, x.mmrWad], () => PM.liquidationPrice(x)]],
  ["isLiquidatable", (x) => [[x.sizeWad, x.marginWad, x.jWad, x.fundingIndexWad, x.priceWad, x.mmrWad], () => PM.isLiquidatable(x)]],
  ["chosenLeverage", (x) => [[x.sizeWad, x.marginWad, x.jWad, x.f0Wad], () => PM.chosenLeverage(x)]],
  [
    "tierOf",
    (x) => {
      const leverageWad = x.priceWad % (60n * WAD);
      return [[leverageWad, [30_000, 100_000, 200_000, 400_000]], () => PM.tierOf({ leverageWad, tierBoundsX1e4: [30_000, 100_000, 200_000, 400_000] })];
    },
  ],
  ["fillPrice", (x) => [[x.priceWad, x.skewWad, x.sizeWad, x.skewScaleWad], () => PM.fillPrice({ priceWad: x.priceWad, skewBeforeWad: x.skewWad, sizeDeltaWad: x.sizeWad, skewScaleWad: x.skewScaleWad })]],
  [
    "increasedJ",
    (x) => {
      const added = x.sizeWad < 0n ? -x.sizeWad : x.sizeWad;
      return [[x.sizeWad, x.jWad, added, x.priceWad, x.fundingIndexWad], () => PM.increasedJ({ sizeWad: x.sizeWad, jWad: x.jWad, addedSizeWad: added, fillWad: x.priceWad, fundingIndexWad: x.fundingIndexWad })];
    },
  ],
  [
    "fee",
    (x) => {
      const sizeAbsWad = x.sizeWad < 0n ? -x.sizeWad : x.sizeWad;
      return [[sizeAbsWad, x.priceWad, x.rateWad], () => PM.fee({ sizeAbsWad, fillWad: x.priceWad, rateWad: x.rateWad })];
    },
  ],
];

for (const [functionName, build] of cases) {
  test(`test_differential_${functionName}_equalsTheContractToTheWei`, async () => {
    const rng = new Prng(BigInt(`0x${Buffer.from(functionName).toString("hex")}`));
    const batch = Array.from({ length: CASES }, () => build(inputs(rng)));
    const chain = await Promise.all(batch.map(([args]) => onChain(functionName, args)));
    let reverts = 0;
    batch.forEach(([args, run], i) => {
      const sdk = inSdk(run);
      const expected = chain[i] as Outcome;
      if ("reverted" in expected) reverts += 1;
      const normalise = (o: Outcome): unknown => ("value" in o && typeof o.value === "number" ? { value: BigInt(o.value) } : o);
      assert.deepEqual(normalise(sdk), normalise(expected), `${functionName}(${args.map(String).join(", ")}) case ${i}`);
    });
    // Most cases are realistic: the comparison is mostly over values, not over two reverts.
    assert.ok(reverts < CASES / 2, `${reverts} of ${CASES} reverted`);
  });
}
