// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/**
 * @title ISettlementMarket
 * @notice What Settlement's orders and deals share: the platform fee, the listed payment tokens and the price bands
 * they both obey, and the errors both can raise. Part of {ISettlement}.
 *
 * Amounts are in credit units of the batch (the `CreditToken` id). Prices are in the smallest unit of the payment
 * token per credit unit, so a trade of `amount` units costs `amount * unitPrice`. The platform fee is
 * `price * feeBps / 10_000`, rounded down; the seller receives `price - fee`.
 */
interface ISettlementMarket {
    // ---------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Price band of a batch in one payment token (`address(0)`: the fiat currency of off-chain legs).
    /// `ceiling == 0`: no ceiling; `floor == ceiling == 0`: no band in this currency. A batch with a band in any
    /// currency is banded: it then trades only in currencies where it has a band (see {priceBandCount}). India
    /// CCTS: floor price and forbearance price.
    struct PriceBand {
        uint128 floor;
        uint128 ceiling;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The price band of `batchId` in `paymentToken` changed.
    event PriceBandSet(uint256 indexed batchId, address indexed paymentToken, uint128 floor, uint128 ceiling);

    /// @notice The platform fee changed.
    event FeeSet(address indexed recipient, uint16 feeBps);

    /// @notice `token` was listed (`listed`) or delisted as a payment token of fills and deals.
    event PaymentTokenSet(address indexed token, bool listed);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `signer` is not the signer of `digest` (wrong key, other chain, other contract, altered terms).
    error SettlementInvalidSignature(address signer, bytes32 digest);

    /// @notice An amount of zero.
    error SettlementZeroAmount();

    /// @notice `caller` may not act on this order or deal.
    error SettlementUnauthorized(address caller);

    /// @notice `token` is not a listed payment token ({setPaymentToken}).
    error SettlementPaymentTokenNotListed(address token);

    /// @notice `batchId` is banded, but has no band in `paymentToken` (`address(0)`: fiat), so it cannot trade in it.
    error SettlementNoPriceBand(uint256 batchId, address paymentToken);

    /// @notice `unitPrice` of `batchId` in `paymentToken` is outside the band [`floor`, `ceiling`] (0 ceiling: none).
    error SettlementPriceOutOfBand(uint256 batchId, address paymentToken, uint256 unitPrice, uint128 floor, uint128 ceiling);

    /// @notice Fee above the cap.
    error SettlementFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);

    /// @notice An address argument was zero.
    error SettlementZeroAddress();
}
