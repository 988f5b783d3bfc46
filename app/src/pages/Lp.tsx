/** LP: the backstop vault's share price, your shares, deposit and withdraw. */
import { backstopVaultAbi, formatDecimal, formatPercent, formatTokenAmount, formatUsd } from "@open-waterfall/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ActionButton } from "../components/Action.tsx";
import { QueryView } from "../components/states.tsx";
import { useApp, usePerpWriter, useWallet } from "../context.tsx";
import { parseAmount } from "../format/input.ts";

export function LpPage() {
  const { perp, publicClient, config } = useApp();
  const { address } = useWallet();
  const writer = usePerpWriter();
  const [depositText, setDepositText] = useState("1000");
  const [withdrawText, setWithdrawText] = useState("");
  const vault = useQuery({
    queryKey: ["lp", address],
    refetchInterval: 3_000,
    queryFn: async () => {
      const state = await perp.getVault();
      if (address === undefined) return { state, shares: undefined, assets: undefined };
      const shares = await publicClient.readContract({ address: config.deployment.vault, abi: backstopVaultAbi, functionName: "balanceOf", args: [address] });
      const assets = await publicClient.readContract({ address: config.deployment.vault, abi: backstopVaultAbi, functionName: "convertToAssets", args: [shares] });
      return { state, shares, assets };
    },
  });
  return (
    <section>
      <h2>Backstop vault</h2>
      <QueryView query={vault} what="the vault">
        {({ state, shares, assets }) => (
          <dl className="stats">
            <div>
              <dt>Share price</dt>
              <dd data-testid="share-price">{formatTokenAmount(state.sharePriceTokenUnits)}</dd>
            </div>
            <div>
              <dt>Total assets</dt>
              <dd>{formatTokenAmount(state.totalAssetsTokenUnits)}</dd>
            </div>
            <div>
              <dt>Equity</dt>
              <dd>{formatUsd(state.equityWad)}</dd>
            </div>
            <div>
              <dt>Withdrawable by LPs now</dt>
              <dd>{formatUsd(state.withdrawableWad)}</dd>
            </div>
            <div>
              <dt>LP fee</dt>
              <dd>{formatPercent(state.lpFeeWad)}</dd>
            </div>
            {shares === undefined || assets === undefined ? null : (
              <div>
                <dt>Your shares</dt>
                <dd data-testid="lp-shares">
                  {formatDecimal(shares, state.shareDecimals)} ≈ {formatTokenAmount(assets)}
                </dd>
              </div>
            )}
            {state.positionsInLiquidation > 0n ? (
              <div>
                <dt>LP flows paused</dt>
                <dd className="bad">{state.positionsInLiquidation.toString()} positions in liquidation</dd>
              </div>
            ) : null}
          </dl>
        )}
      </QueryView>
      {address === undefined ? (
        <p className="state empty">Connect a wallet to deposit or withdraw.</p>
      ) : (
        <div className="forms">
          <form className="card" onSubmit={(e) => e.preventDefault()}>
            <h3>Deposit</h3>
            <label>
              Assets (USDC, from your wallet)
              <input inputMode="decimal" value={depositText} onChange={(e) => setDepositText(e.target.value)} data-testid="lp-deposit-amount" />
            </label>
            <ActionButton testId="lp-deposit" disabled={writer === undefined} run={async () => writer?.lpDeposit({ assetsTokenUnits: parseAmount({ text: depositText, decimals: 6, field: "amount" }) })}>
              Deposit
            </ActionButton>
          </form>
          <form className="card" onSubmit={(e) => e.preventDefault()}>
            <h3>Withdraw</h3>
            <label>
              Assets (USDC)
              <input inputMode="decimal" value={withdrawText} onChange={(e) => setWithdrawText(e.target.value)} data-testid="lp-withdraw-amount" />
            </label>
            <ActionButton testId="lp-withdraw" disabled={writer === undefined} run={async () => writer?.lpWithdraw({ assetsTokenUnits: parseAmount({ text: withdrawText, decimals: 6, field: "amount" }) })}>
              Withdraw
            </ActionButton>
          </form>
        </div>
      )}
    </section>
  );
}
