/**
 * Every configuration field, declared once: its key in the raw config, its command-line flag (if it may be given
 * as one), its environment variable, its default and what it means. The CLI's options, the environment reader and
 * the README's table all come from this list, so they cannot drift apart.
 */

/** One configuration field. */
export type FieldSpec = {
  /** Key in the raw (string) config that the schema validates. */
  readonly key: RawConfigKey;
  /** Command-line flag with its value placeholder, or undefined for fields that may only come from the environment. */
  readonly flag: string | undefined;
  /** Environment variable. */
  readonly env: string;
  /** Default when neither the flag nor the variable is given; undefined when the field is optional or required. */
  readonly defaultValue: string | undefined;
  /** One line for the help text and the README. */
  readonly description: string;
};

/** The keys of the raw config. */
export type RawConfigKey =
  | "rpcUrls"
  | "deployment"
  | "engineAddress"
  | "lensAddress"
  | "fromBlock"
  | "markets"
  | "privateKeys"
  | "keysFile"
  | "pollIntervalMs"
  | "batchSize"
  | "logChunkBlocks"
  | "reorgDepth"
  | "maxFeeGwei"
  | "priorityFeeGwei"
  | "replacementWaitMs"
  | "feeBumpPercent"
  | "maxReplacements"
  | "maxTxGas"
  | "gasPerPosition"
  | "metricsHost"
  | "metricsPort"
  | "healthMaxAgeSeconds"
  | "minSignerBalanceEth"
  | "adlMirror"
  | "poke"
  | "tierDrops"
  | "solvencyAdl"
  | "logLevel";

/** Raw config: strings as they come from flags and the environment. */
export type RawConfig = Partial<Record<RawConfigKey, string>>;

/** All fields, in the order the help text lists them. */
export const FIELDS: readonly FieldSpec[] = [
  {
    key: "rpcUrls",
    flag: "--rpc-url <urls>",
    env: "KEEPER_RPC_URLS",
    defaultValue: undefined,
    description: "JSON-RPC endpoint(s), comma-separated; later ones are fallbacks (required)",
  },
  {
    key: "deployment",
    flag: "--deployment <dir>",
    env: "KEEPER_DEPLOYMENT",
    defaultValue: undefined,
    description: "Ignition deployment directory (or its deployed_addresses.json): addresses and deployment block",
  },
  {
    key: "engineAddress",
    flag: "--engine-address <address>",
    env: "KEEPER_ENGINE_ADDRESS",
    defaultValue: undefined,
    description: "PerpEngine address (overrides the deployment file)",
  },
  {
    key: "lensAddress",
    flag: "--lens-address <address>",
    env: "KEEPER_LENS_ADDRESS",
    defaultValue: undefined,
    description: "PerpLens address (overrides the deployment file)",
  },
  {
    key: "fromBlock",
    flag: "--from-block <n>",
    env: "KEEPER_FROM_BLOCK",
    defaultValue: undefined,
    description: "Block to rebuild positions from: the deployment block (default: read from the Ignition journal, else 0)",
  },
  {
    key: "markets",
    flag: "--markets <ids>",
    env: "KEEPER_MARKETS",
    defaultValue: "all",
    description: "Market ids to keep, comma-separated, or 'all' (every listed market)",
  },
  {
    key: "privateKeys",
    flag: undefined,
    env: "KEEPER_PRIVATE_KEYS",
    defaultValue: undefined,
    description: "Signer private keys, comma-separated (environment only: flags show in the process list)",
  },
  {
    key: "keysFile",
    flag: "--keys-file <file>",
    env: "KEEPER_KEYS_FILE",
    defaultValue: undefined,
    description: "File with one signer private key per line (instead of KEEPER_PRIVATE_KEYS)",
  },
  {
    key: "pollIntervalMs",
    flag: "--poll-interval-ms <ms>",
    env: "KEEPER_POLL_INTERVAL_MS",
    defaultValue: "1000",
    description: "How often to poll the node for a new block",
  },
  {
    key: "batchSize",
    flag: "--batch-size <n>",
    env: "KEEPER_BATCH_SIZE",
    defaultValue: "200",
    description: "Most positions in one liquidateBatch transaction (the gas caps may lower it)",
  },
  {
    key: "logChunkBlocks",
    flag: "--log-chunk-blocks <n>",
    env: "KEEPER_LOG_CHUNK_BLOCKS",
    defaultValue: "2000",
    description: "Blocks per eth_getLogs request when rebuilding",
  },
  {
    key: "reorgDepth",
    flag: "--reorg-depth <n>",
    env: "KEEPER_REORG_DEPTH",
    defaultValue: "64",
    description: "Deepest reorganisation undone in place; a deeper one rebuilds from the deployment block",
  },
  {
    key: "maxFeeGwei",
    flag: "--max-fee-gwei <gwei>",
    env: "KEEPER_MAX_FEE_GWEI",
    defaultValue: undefined,
    description: "Ceiling on maxFeePerGas, replacements included (default: none)",
  },
  {
    key: "priorityFeeGwei",
    flag: "--priority-fee-gwei <gwei>",
    env: "KEEPER_PRIORITY_FEE_GWEI",
    defaultValue: undefined,
    description: "Priority fee of a first submission (default: the node's suggestion)",
  },
  {
    key: "replacementWaitMs",
    flag: "--replacement-wait-ms <ms>",
    env: "KEEPER_REPLACEMENT_WAIT_MS",
    defaultValue: "15000",
    description: "How long a transaction may stay unmined before it is replaced with a higher fee",
  },
  {
    key: "feeBumpPercent",
    flag: "--fee-bump-percent <pct>",
    env: "KEEPER_FEE_BUMP_PERCENT",
    defaultValue: "25",
    description: "Fee increase of each replacement, percent (nodes require at least 10)",
  },
  {
    key: "maxReplacements",
    flag: "--max-replacements <n>",
    env: "KEEPER_MAX_REPLACEMENTS",
    defaultValue: "5",
    description: "Replacements of one transaction before it is left to the node",
  },
  {
    key: "maxTxGas",
    flag: "--max-tx-gas <gas>",
    env: "KEEPER_MAX_TX_GAS",
    defaultValue: undefined,
    description: "Per-transaction gas cap (default: probed from the node, e.g. 2^24 under Osaka)",
  },
  {
    key: "gasPerPosition",
    flag: "--gas-per-position <gas>",
    env: "KEEPER_GAS_PER_POSITION",
    defaultValue: "150000",
    description: "Gas assumed per liquidated position until the node's estimates have measured it",
  },
  {
    key: "metricsHost",
    flag: "--metrics-host <host>",
    env: "KEEPER_METRICS_HOST",
    defaultValue: "127.0.0.1",
    description: "Interface the /metrics and /health server binds",
  },
  {
    key: "metricsPort",
    flag: "--metrics-port <port>",
    env: "KEEPER_METRICS_PORT",
    defaultValue: "9464",
    description: "Port of the /metrics and /health server (0 = any free port)",
  },
  {
    key: "healthMaxAgeSeconds",
    flag: "--health-max-age-seconds <s>",
    env: "KEEPER_HEALTH_MAX_AGE_SECONDS",
    defaultValue: "60",
    description: "/health turns unhealthy when the keeper last reached the chain head longer ago than this",
  },
  {
    key: "minSignerBalanceEth",
    flag: "--min-signer-balance-eth <eth>",
    env: "KEEPER_MIN_SIGNER_BALANCE_ETH",
    defaultValue: "0",
    description: "/health turns unhealthy when a signer holds less native currency than this",
  },
  {
    key: "adlMirror",
    flag: "--adl-mirror <on|off>",
    env: "KEEPER_ADL_MIRROR",
    defaultValue: "on",
    description: "Mirror the on-chain ADL lists (PerpLens.walkList) to know what ADL will hit and to hint tier drops",
  },
  {
    key: "poke",
    flag: "--poke <on|off>",
    env: "KEEPER_POKE",
    defaultValue: "on",
    description: "Poke a market whose cached price is older than its latest oracle round",
  },
  {
    key: "tierDrops",
    flag: "--tier-drops <on|off>",
    env: "KEEPER_TIER_DROPS",
    defaultValue: "on",
    description: "Apply pending ADL tier drops once due",
  },
  {
    key: "solvencyAdl",
    flag: "--solvency-adl <on|off>",
    env: "KEEPER_SOLVENCY_ADL",
    defaultValue: "on",
    description: "Trigger vault-solvency ADL when its condition holds",
  },
  {
    key: "logLevel",
    flag: "--log-level <level>",
    env: "KEEPER_LOG_LEVEL",
    defaultValue: "info",
    description: "pino level: fatal, error, warn, info, debug or trace",
  },
];
