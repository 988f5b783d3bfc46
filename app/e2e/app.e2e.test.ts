/**
 * End to end, in a real headless browser: the test starts the devnet (Hardhat node, deploy, seed, the real
 * keeper in process) and the app's server, connects the test account, deposits with a permit, opens a position,
 * reads its liquidation price and ADL lights, moves the oracle price down until the keeper liquidates it, and
 * finds the liquidation in the protocol page's feed. Each step leaves a screenshot in `test-results/`.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { getPosition } from "@open-waterfall/sdk";
import { chromium, type Browser, type Page } from "playwright-core";

import { startDevnet, type Devnet } from "../../scripts/devnet/devnet.ts";
import { APP_DIR, buildApp, startAppServer, type AppServer } from "../scripts/server.ts";

const RESULTS = join(APP_DIR, "test-results");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const W = 10n ** 18n;
const ETH = 1n;
const DEPLOYMENT_ID = `app-e2e-${process.pid}`;

let devnet: Devnet | undefined;
let server: AppServer | undefined;
let browser: Browser | undefined;
let workDir: string | undefined;
const shots: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
  const file = join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

before(async () => {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), "app-e2e-"));
  const configFile = join(workDir, "deployment.json");
  const t0 = Date.now();
  buildApp();
  const t1 = Date.now();
  devnet = await startDevnet({
    deploymentId: DEPLOYMENT_ID,
    appConfigFile: configFile,
    traders: 6,
    seed: 1,
    vaultUsd: 5_000_000,
    insuranceUsd: 50_000,
    accounts: 2,
    accountUsd: 100_000,
    // The test moves prices itself; the keeper runs every 250 ms.
    intervalMs: 250,
    feeder: false,
  });
  const t2 = Date.now();
  server = await startAppServer({ mode: "preview", configFile });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  console.log(`setup: build ${t1 - t0} ms, devnet ${t2 - t1} ms, server and browser ${Date.now() - t2} ms`);
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  await devnet?.stop();
  // Ignition's files of this run (also when the devnet failed half way).
  rmSync(join(APP_DIR, "..", "ignition", "deployments", DEPLOYMENT_ID), { recursive: true, force: true });
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  if (shots.length > 0) console.log(`screenshots:\n${shots.map((s) => `  ${s}`).join("\n")}`);
});

test("test_app_depositTradeLiquidationShowInTheFeed", { timeout: 240_000 }, async () => {
  assert.ok(devnet !== undefined && server !== undefined && browser !== undefined);
  const trader = devnet.accounts[0]!.address;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));

  // Markets: prices and charts from the oracle rounds.
  await page.goto(`${server.url}/#/markets`);
  await page.getByTestId("market-ETH-USD").waitFor();
  await page.locator('[data-testid="market-ETH-USD"] svg path.line').waitFor();
  assert.match((await page.getByTestId("market-ETH-USD").getByTestId("market-price").textContent()) ?? "", /^\$\d/);
  await shot(page, "01-markets");

  // Connect the devnet test account.
  await page.getByTestId("connect-test-account").first().click();
  await page.getByTestId("connected-address").waitFor();
  assert.equal(await page.getByTestId("connected-address").getAttribute("title"), trader);

  // Deposit 2,000 USDC with a permit.
  await page.getByTestId("nav-account").click();
  await page.getByTestId("wallet-balance").filter({ hasText: "100,000.00 USDC" }).waitFor();
  await shot(page, "02-account-connected");
  await page.getByTestId("deposit-amount").fill("2000");
  await page.getByTestId("deposit").click();
  await page.getByTestId("deposit-done").waitFor({ timeout: 30_000 });
  await page.getByTestId("free-collateral").filter({ hasText: "$2,000.00" }).waitFor({ timeout: 15_000 });
  await shot(page, "03-deposited");

  // Trade ticket: a typed mistake gets a readable message; then a 25× long with 400 USDC margin.
  await page.getByTestId("nav-trade").click();
  await page.getByTestId("side-long").click();
  await page.getByTestId("mode-leverage").click();
  await page.getByTestId("ticket-leverage").fill("abc");
  await page.getByTestId("ticket-input-error").filter({ hasText: 'Leverage: "abc" is not a number' }).waitFor();
  await page.getByTestId("ticket-leverage").fill("25");
  await page.getByTestId("ticket-margin").fill("400");
  await page.getByTestId("preview-liq").waitFor({ timeout: 20_000 });
  const previewTier = (await page.getByTestId("preview-tier").textContent()) ?? "";
  assert.match(previewTier, /ADL tier3$/);
  await shot(page, "04-trade-preview");
  await page.getByTestId("ticket-submit").click();
  await page.getByTestId("ticket-submit-done").waitFor({ timeout: 30_000 });

  // The position: liquidation price, tier, lights and standing.
  await page.getByTestId("nav-positions").click();
  const card = page.getByTestId("position-ETH-USD");
  await card.waitFor({ timeout: 15_000 });
  const position = await getPosition({ client: devnet.client, deployment: devnet.protocol, account: trader, marketId: ETH });
  assert.ok(position !== undefined && position.sizeWad > 0n);
  const liqText = (await card.getByTestId("pos-liq").textContent()) ?? "";
  assert.match(liqText, /^\$\d{1,3}(,\d{3})*\.\d{2}$/);
  assert.equal(await card.getByTestId("pos-tier").textContent(), "3");
  const level = Number(await card.getByTestId("adl-lights").getAttribute("data-level"));
  assert.equal(level, position.adl.level);
  assert.equal(await card.locator(".light").count(), 5);
  assert.ok(((await card.getByTestId("pos-standing").textContent()) ?? "").length > 0);
  await shot(page, "05-position");

  // Move the price down, 1% a round, until the keeper has liquidated the position.
  await page.getByTestId("nav-protocol").click();
  await page.getByTestId("insurance-fund").waitFor({ timeout: 20_000 });
  let liquidated = false;
  for (let round = 0; round < 12 && !liquidated; round++) {
    const price = await devnet.price(ETH);
    await devnet.setPrice(ETH, (price * 99n) / 100n);
    const deadline = Date.now() + 4_000;
    while (Date.now() < deadline) {
      const now = await getPosition({ client: devnet.client, deployment: devnet.protocol, account: trader, marketId: ETH });
      if (now === undefined) {
        liquidated = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (round === 1) await shot(page, "06-price-falling");
  }
  assert.ok(liquidated, "the keeper liquidated the position");
  assert.ok((await devnet.price(ETH)) < position.liquidationPriceWad + W, "the price went down to the liquidation price");

  // The liquidation in the feed.
  const item = page.getByTestId("feed-liquidation").filter({ hasText: `${trader.slice(0, 6)}…${trader.slice(-4)} liquidated` });
  await item.waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="insurance-card"] svg path.line').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole("alert").count(), 0, "no error shown on the protocol page");
  await shot(page, "07-protocol-feed");

  await page.getByTestId("nav-positions").click();
  await page.getByText("No open position").waitFor({ timeout: 10_000 });
  await shot(page, "08-positions-after");

  // Phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId("nav-protocol").click();
  await page.getByTestId("feed").waitFor();
  await shot(page, "09-phone-protocol");
  await page.getByTestId("nav-trade").click();
  await page.getByTestId("ticket-preview").waitFor();
  await shot(page, "10-phone-trade");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scroll at phone width (overflow ${overflow}px)`);

  assert.deepEqual(pageErrors, []);
});
