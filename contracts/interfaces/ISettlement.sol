// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {ICreditToken} from "./ICreditToken.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";
import {IRegistryBridge} from "./IRegistryBridge.sol";
import {ISettlementDeals} from "./ISettlementDeals.sol";
import {ISettlementOrders} from "./ISettlementOrders.sol";

/**
 * @title ISettlement
 * @notice Delivery versus payment for tokenized carbon credits: instant fills of EIP-712 signed orders
 * ({ISettlementOrders}) and conditional escrow deals whose off-chain legs are confirmed by the bridge's oracle
 * quorum ({ISettlementDeals}), under one market configuration ({ISettlementMarket}: fee, payment tokens, bands)
 * that the administration below sets.
 */
interface ISettlement is ISettlementOrders, ISettlementDeals {
    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Settlement only accepts credits of its own token moved by itself (escrow).
    error SettlementUnexpectedReceipt(address token, address operator);

    /// @notice Band with ceiling below floor.
    error SettlementInvalidBand(uint128 floor, uint128 ceiling);

    // ---------------------------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Sets the band of `batchId` in `paymentToken` (`address(0)`: fiat); `(0, 0)` removes it. The first
    /// band of a batch makes it banded: from then on it trades only in currencies where it has a band.
    /// Requirements: MARKET_ADMIN_ROLE; ceiling zero or at least floor. Emits {PriceBandSet}.
    function setPriceBand(uint256 batchId, address paymentToken, uint128 floor, uint128 ceiling) external;

    /// @notice Lists or delists `token` as a payment token of fills and ERC-20 deals (open deals are not affected).
    /// Requirements: MARKET_ADMIN_ROLE; `token` is not zero (fiat legs need no listing). Emits {PaymentTokenSet}.
    function setPaymentToken(address token, bool listed) external;

    /// @notice Sets the fee recipient and rate. Requirements: MARKET_ADMIN_ROLE; `feeBps` at most the cap.
    /// Emits {FeeSet}.
    function setFee(address recipient, uint16 feeBps) external;

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    function priceBand(uint256 batchId, address paymentToken) external view returns (PriceBand memory);

    /// @notice Number of currencies in which `batchId` has a band; non-zero: the batch is banded.
    function priceBandCount(uint256 batchId) external view returns (uint256);

    /// @notice Whether `token` is a listed payment token.
    function isPaymentToken(address token) external view returns (bool);

    function fee() external view returns (address recipient, uint16 feeBps);

    /// @notice The credit token, bridge and identity registry this contract settles against.
    function dependencies() external view returns (ICreditToken token, IRegistryBridge bridge, IIdentityRegistry identity);
}
