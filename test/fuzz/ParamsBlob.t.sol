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

    /// @dev The engine finds a blob from its creator's nonce: the derivation must be CREATE's rule for every nonce
    /// a registry can reach (three bytes), across the RLP length boundaries.
    function test_fuzz_addressOf_isCreatesAddressRule(address deployer, uint256 nonceRaw) public pure {
        uint256 nonce = bound(nonceRaw, 0, type(uint24).max);
        assertEq(ParamsBlob.addressOf(deployer, nonce), vm.computeCreateAddress(deployer, nonce), "derived address");
        uint256[8] memory edges = [uint256(0), 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000];
        for (uint256 i; i < edges.length; ++i) {
            assertEq(ParamsBlob.addressOf(deployer, edges[i]), vm.computeCreateAddress(deployer, edges[i]), "edge");
        }
    }

    function test_fuzz_addressOf_findsTheBlobJustWritten(uint32 grace) public {
        MarketParams memory params;
        params.sequencerGracePeriod = grace;
        uint256 nonce = vm.getNonce(address(this));
        address pointer = ParamsBlob.write(params);
        assertEq(ParamsBlob.addressOf(address(this), nonce), pointer, "the writer's nonce names the blob");
        assertEq(ParamsBlob.read(pointer).sequencerGracePeriod, grace);
    }

    function _slice(bytes memory data, uint256 from) private pure returns (bytes memory out) {
        out = new bytes(data.length - from);
        for (uint256 i; i < out.length; ++i) {
            out[i] = data[i + from];
        }
    }
}
