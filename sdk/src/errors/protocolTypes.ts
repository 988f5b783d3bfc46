import type { AbiParameterToPrimitiveType } from "viem";

import type { protocolErrorsAbi } from "../abi/generated.ts";

type ErrorItem = (typeof protocolErrorsAbi)[number];

/** The name of every custom error the protocol's contracts can revert with. */
export type ProtocolErrorName = ErrorItem["name"];

/** A protocol error's arguments by their Solidity names, typed (uint/int → bigint, address → `0x${string}`). */
export type ProtocolErrorArgs<N extends ProtocolErrorName> = {
  readonly [P in Extract<ErrorItem, { name: N }>["inputs"][number] as P["name"]]: AbiParameterToPrimitiveType<P>;
};
