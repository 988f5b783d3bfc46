// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {ParamsBlob} from "../../contracts/libraries/ParamsBlob.sol";
import {MarketConfig, MarketParams, ProtocolConfig} from "../../contracts/interfaces/IMarketRegistry.sol";

/// @notice The engine reads a market's parameters from the registry's blob word by word: it must give back
/// exactly what the registry wrote, field for field, whatever the values.
contract ParamsBlobFuzzTest is Test {
    function test_fuzz_read_returnsExactlyWhatWriteStored(
        MarketConfig memory market,
        ProtocolConfig memory protocol,
        address sequencerFeed,
        uint32 sequencerGracePeriod
    ) public {
        MarketParams memory written = MarketParams(market, protocol, sequencerFeed, sequencerGracePeriod);
        address pointer = ParamsBlob.write(written);
        assertEq(pointer.code.length, ParamsBlob.CODE_SIZE, "blob size");
        assertEq(uint8(pointer.code[0]), 0, "STOP prefix");
        MarketParams memory read = ParamsBlob.read(pointer);
        assertEq(abi.encode(read), abi.encode(written), "fields");
        assertEq(abi.encode(read), _slice(pointer.code, 1), "bytes as abi.encode laid them out");
        // Single fields at each region's edge, compared directly.
        assertEq(read.market.feed, market.feed);
        assertEq(read.market.tierBoundsX1e4[3], market.tierBoundsX1e4[3]);
        assertEq(read.market.maxAnswer, market.maxAnswer);
        assertEq(read.protocol.insuranceFeeShareWad, protocol.insuranceFeeShareWad);
        assertEq(read.protocol.vestingThresholdUsdWad, protocol.vestingThresholdUsdWad);
        assertEq(read.sequencerFeed, sequencerFeed);
        assertEq(read.sequencerGracePeriod, sequencerGracePeriod);
    }

    function _slice(bytes memory data, uint256 from) private pure returns (bytes memory out) {
        out = new bytes(data.length - from);
        for (uint256 i; i < out.length; ++i) {
            out[i] = data[i + from];
        }
    }
}
