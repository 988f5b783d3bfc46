/** Account: wallet balance, free collateral, withdrawable; deposit with a permit, withdraw; a devnet faucet. */
import { collateralTokenAbi, formatTokenAmount, formatUsd } from "@open-waterfall/sdk";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useWriteContract } from "wagmi";

import { ActionButton } from "../components/Action.tsx";
import { Empty, QueryView } from "../components/states.tsx";
import { LOCAL_CHAIN_ID } from "../config/appConfig.ts";
import { useApp, usePerpWriter, useWallet } from "../context.tsx";
import { parseAmount } from "../format/input.ts";

const WAD_PER_TOKEN_UNIT = 10n ** 12n;
/** What the devnet faucet mints: 10,000 USDC. */
const FAUCET_TOKEN_UNITS = 10_000n * 10n ** 6n;

export function AccountPage() {
  const { config, publicClient, perp } = useApp();
  const { address } = useWallet();
  const writer = usePerpWriter();
  const { writeContractAsync } = useWriteContract();
  const [depositText, setDepositText] = useState("1000");
  const [withdrawText, setWithdrawText] = useState("");
  const account = useQuery({
    queryKey: ["account", address],
    enabled: address !== undefined,
    refetchInterval: 2_000,
    queryFn: async () => {
      const owner = address as `0x${string}`;
      const [details, walletBalance] = await Promise.all([
        perp.getAccount({ account: owner }),
        publicClient.readContract({ address: config.deployment.collateral, abi: collateralTokenAbi, functionName: "balanceOf", args: [owner] }),
      ]);
      return { details, walletBalance };
    },
  });
  if (address === undefined) return <Empty>Connect a wallet to see your account.</Empty>;
  return (
    <section>
      <h2>Account</h2>
      <QueryView query={account} what="your account">
        {({ details, walletBalance }) => (
          <dl className="stats">
            <div>
              <dt>Wallet</dt>
              <dd data-testid="wallet-balance">{formatTokenAmount(walletBalance)}</dd>
            </div>
            <div>
              <dt>Free collateral</dt>
              <dd data-testid="free-collateral">{formatUsd(details.freeCollateralWad)}</dd>
            </div>
            <div>
              <dt>Withdrawable now</dt>
              <dd>{formatUsd(details.withdrawableWad)}</dd>
            </div>
            <div>
              <dt>Profit vesting</dt>
              <dd>{formatUsd(details.lockedProfitWad)}</dd>
            </div>
            <div>
              <dt>Open positions</dt>
              <dd>{details.positions.length}</dd>
            </div>
          </dl>
        )}
      </QueryView>
      <div className="forms">
        <form className="card" onSubmit={(e) => e.preventDefault()}>
          <h3>Deposit</h3>
          <label>
            Amount (USDC)
            <input inputMode="decimal" value={depositText} onChange={(e) => setDepositText(e.target.value)} data-testid="deposit-amount" />
          </label>
          <p className="hint">One transaction: the wallet signs an EIP-2612 permit, no separate approval.</p>
          <ActionButton
            testId="deposit"
            disabled={writer === undefined}
            run={async () => writer?.deposit({ amountTokenUnits: parseAmount({ text: depositText, decimals: 6, field: "amount" }) })}
          >
            Deposit with permit
          </ActionButton>
        </form>
        <form className="card" onSubmit={(e) => e.preventDefault()}>
          <h3>Withdraw</h3>
          <label>
            Amount (USDC)
            <input inputMode="decimal" value={withdrawText} onChange={(e) => setWithdrawText(e.target.value)} data-testid="withdraw-amount" />
          </label>
          <button
            type="button"
            className="link"
            onClick={() => account.data !== undefined && setWithdrawText((account.data.details.withdrawableWad / WAD_PER_TOKEN_UNIT / 10n ** 6n).toString())}
          >
            Max (whole USDC)
          </button>
          <ActionButton
            testId="withdraw"
            disabled={writer === undefined}
            run={async () => writer?.withdraw({ amountTokenUnits: parseAmount({ text: withdrawText, decimals: 6, field: "amount" }) })}
          >
            Withdraw
          </ActionButton>
        </form>
        {config.chainId === LOCAL_CHAIN_ID ? (
          <div className="card devnet">
            <h3>Devnet faucet</h3>
            <p className="hint">Local devnet only: mints 10,000 test USDC to your wallet.</p>
            <ActionButton
              testId="faucet"
              disabled={writer === undefined}
              run={async () => {
                const hash = await writeContractAsync({
                  address: config.deployment.collateral,
                  abi: collateralTokenAbi,
                  functionName: "mint",
                  args: [address, FAUCET_TOKEN_UNITS],
                  chainId: config.chainId,
                });
                await publicClient.waitForTransactionReceipt({ hash });
              }}
            >
              Mint test USDC
            </ActionButton>
          </div>
        ) : null}
      </div>
    </section>
  );
}
