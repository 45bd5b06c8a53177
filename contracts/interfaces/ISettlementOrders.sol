// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IRegistryBridge} from "./IRegistryBridge.sol";
import {ISettlementMarket} from "./ISettlementMarket.sol";

/// @notice The EIP-712 digest of an {ISettlementOrders.Order} in Settlement's domain: the key of its fill state.
/// A type of its own so that it is never taken for a deal id, an attestation digest or a request id.
type OrderHash is bytes32;

/**
 * @title ISettlementOrders
 * @notice Instant delivery versus payment: fills of maker-signed EIP-712 orders, credits against an ERC-20
 * payment in one transaction, in batches, or with a retirement request for what was bought. Part of {ISettlement}.
 */
interface ISettlementOrders is ISettlementMarket {
    // ---------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice A maker-signed order. `side == SIDE_SELL`: the maker sells credits and the taker (buyer) pays.
     * `side == SIDE_BUY` (a bid): the maker buys credits and the taker (seller) delivers them.
     * @dev EIP-712 type, field order as in the contract's `_ORDER_TYPEHASH`. `taker == address(0)`: anyone may
     * fill. `minFill`: each fill is at least this amount unless it takes the whole remainder. `salt` is the
     * maker's order nonce: a (maker, salt) pair closes once, when an order carrying it is filled in full or
     * cancelled (two bits per nonce, 128 nonces per storage word, in the manner of Permit2's unordered nonces),
     * so makers should use sequential salts. `counter` must equal the maker's current counter;
     * {incrementCounter} invalidates every order signed with an older one. `maxFeeBps`: the highest platform fee
     * (basis points) the maker accepts; a fill while the fee is above it reverts, so raising the fee after signing
     * can never cut the seller's proceeds below what was signed.
     */
    struct Order {
        uint8 side;
        address maker;
        address taker;
        uint256 batchId;
        uint256 amount;
        uint256 unitPrice;
        address paymentToken;
        uint16 maxFeeBps;
        uint256 minFill;
        uint256 expiry;
        uint256 salt;
        uint256 counter;
    }

    /// @notice One fill inside {fillBatch}.
    struct Fill {
        Order order;
        uint256 amount;
        bytes signature;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `amount` units of `batchId` moved from `seller` to `buyer` against `price` (of which `fee` to the
    /// fee recipient) under the order `orderHash`.
    event OrderFilled(
        OrderHash indexed orderHash,
        address indexed seller,
        address indexed buyer,
        uint256 batchId,
        uint256 amount,
        uint256 price,
        uint256 fee
    );

    /// @notice The buyer of a fill asked the bridge to retire what it bought, in the same transaction.
    event FillRetirementRequested(OrderHash indexed orderHash, address indexed buyer, bytes32 indexed requestId);

    /// @notice The maker cancelled one order (closing its nonce `salt`).
    event OrderCancelled(OrderHash indexed orderHash, address indexed maker, uint256 salt);

    /// @notice `signer` raised its counter, cancelling every order signed with an older one.
    event CounterIncremented(address indexed signer, uint256 newCounter);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The order expired at `expiry` (now `nowTs`).
    error SettlementOrderExpired(OrderHash orderHash, uint256 expiry, uint256 nowTs);

    /// @notice The order's nonce `salt` of `maker` is closed: the order was filled in full or cancelled (or another
    /// order of the maker with the same salt was).
    error SettlementOrderClosed(OrderHash orderHash, address maker, uint256 salt);

    /// @notice The order was signed with `counter`, the maker's counter is now `current`.
    error SettlementStaleCounter(address maker, uint256 counter, uint256 current);

    /// @notice The order is restricted to `taker`.
    error SettlementUnauthorizedTaker(OrderHash orderHash, address taker, address caller);

    /// @notice Filling `requested` would exceed the order: `filled` of `total` already filled.
    error SettlementOverfill(OrderHash orderHash, uint256 filled, uint256 requested, uint256 total);

    /// @notice A fill of `requested` is below the order's `minFill` and does not take the `remaining` amount.
    error SettlementFillBelowMinimum(OrderHash orderHash, uint256 requested, uint256 minFill, uint256 remaining);

    /// @notice The platform fee `feeBps` is above the `maxFeeBps` the maker signed into the order.
    error SettlementFeeAboveOrderCap(OrderHash orderHash, uint16 feeBps, uint16 maxFeeBps);

    /// @notice `side` is not a side this function accepts.
    error SettlementInvalidSide(uint8 side);

    // ---------------------------------------------------------------------------------------------------------
    // Instant DvP
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Fills `amount` of a maker-signed order; credits and payment move in this transaction or neither.
     * The caller is the taker: the buyer of a sell order, the seller of a bid.
     *
     * Requirements:
     * - the order is unexpired, not cancelled, signed by `order.maker` with its current counter;
     * - `order.taker` is zero or the caller; `amount > 0`, not above the remainder, not below `minFill` unless it
     *   takes the remainder; `order.paymentToken` is listed; the unit price is inside the batch's band in that
     *   token (a banded batch without a band in it is refused);
     * - the platform fee now is at most `order.maxFeeBps`;
     * - the seller approved Settlement as ERC-1155 operator and the buyer approved the payment; both are verified
     *   and unfrozen, the batch is not frozen (enforced by `CreditToken`).
     *
     * Emits {OrderFilled}.
     */
    function fill(Order calldata order, uint256 amount, bytes calldata signature) external returns (OrderHash orderHash);

    /**
     * @notice Settles many fills in one transaction, all or nothing. Each element follows {fill}.
     *
     * The platform fees of consecutive fills paid by the same buyer in the same token are collected in one
     * transfer; each {OrderFilled} still reports its own fee.
     *
     * Emits one {OrderFilled} per fill.
     */
    function fillBatch(Fill[] calldata fills) external;

    /**
     * @notice Fills a sell order for the caller and, in the same transaction, asks the bridge to retire what was
     * bought (`requestRetirementFor(caller, ...)`), so the units are never available to anyone in between.
     *
     * Requirements: as {fill} with `order.side == SIDE_SELL`; the bridge accepts the request: the batch's registry
     * is not paused and `idempotencyKey` was never used by the caller (a repeated key reverts with
     * `RegistryBridgeIdempotencyKeyUsed`, so bought units are never left unlocked).
     *
     * Emits {OrderFilled}, {FillRetirementRequested} (and the bridge's request event).
     */
    function fillAndRetire(
        Order calldata order,
        uint256 amount,
        bytes calldata signature,
        bytes32 idempotencyKey,
        IRegistryBridge.RetirementDetails calldata details
    ) external returns (OrderHash orderHash, bytes32 requestId);

    /**
     * @notice Cancels one order by closing its nonce (`order.salt`). Requirements: the caller is `order.maker`.
     * Emits {OrderCancelled}.
     */
    function cancel(Order calldata order) external;

    /**
     * @notice Raises the caller's counter, cancelling every open order it signed (Seaport style).
     * Emits {CounterIncremented}.
     */
    function incrementCounter() external returns (uint256 newCounter);

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice EIP-712 digest of `order` in this contract's domain; the key of its fill state.
    function hashOrder(Order calldata order) external view returns (OrderHash);

    /// @notice Units filled so far of an open, partially filled order (0 for a fresh order and once closed).
    function filledAmount(OrderHash orderHash) external view returns (uint256);

    /// @notice Whether nonce `salt` of `maker` is closed (an order carrying it was filled in full or cancelled).
    function isNonceClosed(address maker, uint256 salt) external view returns (bool);

    function counterOf(address signer) external view returns (uint256);
}
