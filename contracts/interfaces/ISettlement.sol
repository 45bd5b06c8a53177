// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IRegistryBridge} from "./IRegistryBridge.sol";

/**
 * @title ISettlement
 * @notice Delivery versus payment for tokenized carbon credits: instant fills of EIP-712 signed orders and
 * conditional escrow deals whose off-chain legs (fiat payment, delivery into the buyer's registry account) are
 * confirmed by the oracle quorum kept by the registry bridge.
 *
 * Amounts are in credit units of the batch (the `CreditToken` id). Prices are in the smallest unit of the payment
 * token per credit unit, so a fill of `amount` units costs `amount * unitPrice`. The platform fee is
 * `price * feeBps / 10_000`, rounded down; the seller receives `price - fee`.
 */
interface ISettlement {
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

    /**
     * @notice Deal terms, signed by both seller and buyer (same EIP-712 digest, which is the deal id).
     * @dev `paymentToken == address(0)`: the payment is an off-chain fiat leg and `conditions` must include
     * {CONDITION_FIAT_PAYMENT_RECEIVED}; otherwise the payment is locked on-chain and that bit must be clear.
     * `conditions` containing {CONDITION_REGISTRY_DELIVERY}: the credits are delivered into
     * `buyerRegistryAccount` at the batch's registry through the bridge's withdrawal, not to the buyer's wallet.
     */
    struct Deal {
        address seller;
        address buyer;
        uint256 batchId;
        uint256 amount;
        uint256 unitPrice;
        address paymentToken;
        uint256 conditions;
        bytes32 buyerRegistryAccount;
        uint256 deadline;
        uint256 salt;
    }

    /**
     * @notice Lifecycle of a deal.
     * - `Open`: credits (and an on-chain payment) escrowed in Settlement.
     * - `Delivering`: credits moved into the bridge under a withdrawal request held by Settlement; payment
     *   still escrowed.
     * - `Settled`: both legs released. `Expired`: past the deadline, at least one leg reclaimed.
     * - `Cancelled`: terms cancelled by a party before anyone opened them.
     */
    enum DealStatus {
        None,
        Open,
        Delivering,
        Settled,
        Expired,
        Cancelled
    }

    /// @notice Stored record of an opened deal. `feeBps` and `feeRecipient` are the platform fee terms in force
    /// when the deal opened (zero for a fiat leg or a zero fee); settlement uses them whatever the fee is later, so
    /// an open deal always settles (or is reclaimed) on the terms it opened with.
    struct DealRecord {
        address seller;
        DealStatus status;
        uint8 conditions;
        uint8 satisfied;
        uint16 feeBps;
        bool creditsReclaimed;
        bool paymentReclaimed;
        address buyer;
        uint64 deadline;
        address paymentToken;
        address feeRecipient;
        uint256 batchId;
        uint256 amount;
        uint256 price;
        bytes32 buyerRegistryAccount;
        bytes32 deliveryRequestId;
    }

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

    /// @notice `amount` units of `batchId` moved from `seller` to `buyer` against `price` (of which `fee` to the
    /// fee recipient) under the order `orderHash`.
    event OrderFilled(
        bytes32 indexed orderHash,
        address indexed seller,
        address indexed buyer,
        uint256 batchId,
        uint256 amount,
        uint256 price,
        uint256 fee
    );
    /// @notice The buyer of a fill asked the bridge to retire what it bought, in the same transaction.
    event FillRetirementRequested(bytes32 indexed orderHash, address indexed buyer, bytes32 indexed requestId);
    /// @notice The maker cancelled one order (closing its nonce `salt`).
    event OrderCancelled(bytes32 indexed orderHash, address indexed maker, uint256 salt);
    /// @notice `signer` raised its counter, cancelling every order signed with an older one.
    event CounterIncremented(address indexed signer, uint256 newCounter);

    /// @notice A deal was opened: credits and an on-chain payment are escrowed.
    event DealOpened(
        bytes32 indexed dealId,
        address indexed seller,
        address indexed buyer,
        uint256 batchId,
        uint256 amount,
        uint256 price,
        address paymentToken,
        uint8 conditions,
        uint64 deadline
    );
    /// @notice A party cancelled deal terms that were never opened.
    event DealCancelled(bytes32 indexed dealId, address indexed by);
    /// @notice The oracle quorum confirmed `condition` of the deal; `evidence` is the off-chain reference.
    event DealConditionConfirmed(bytes32 indexed dealId, uint8 indexed condition, bytes32 evidence, bytes32 attestation);
    /// @notice Escrowed credits of the deal moved into the bridge under withdrawal request `requestId`.
    event DealDeliveryStarted(bytes32 indexed dealId, bytes32 indexed requestId, bytes32 buyerRegistryAccount);
    /// @notice Every condition held and both legs were released.
    event DealSettled(bytes32 indexed dealId, uint256 sellerProceeds, uint256 fee);
    /// @notice After the deadline, `party` took back its own leg (`credits` units or `payment`).
    event DealLegReclaimed(bytes32 indexed dealId, address indexed party, uint256 credits, uint256 payment);

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
    /// @notice The order expired at `expiry` (now `nowTs`).
    error SettlementOrderExpired(bytes32 orderHash, uint256 expiry, uint256 nowTs);
    /// @notice The order's nonce `salt` of `maker` is closed: the order was filled in full or cancelled (or another
    /// order of the maker with the same salt was).
    error SettlementOrderClosed(bytes32 orderHash, address maker, uint256 salt);
    /// @notice The order was signed with `counter`, the maker's counter is now `current`.
    error SettlementStaleCounter(address maker, uint256 counter, uint256 current);
    /// @notice The order is restricted to `taker`.
    error SettlementUnauthorizedTaker(bytes32 orderHash, address taker, address caller);
    /// @notice Filling `requested` would exceed the order: `filled` of `total` already filled.
    error SettlementOverfill(bytes32 orderHash, uint256 filled, uint256 requested, uint256 total);
    /// @notice A fill of `requested` is below the order's `minFill` and does not take the `remaining` amount.
    error SettlementFillBelowMinimum(bytes32 orderHash, uint256 requested, uint256 minFill, uint256 remaining);
    /// @notice An amount of zero.
    error SettlementZeroAmount();
    /// @notice The platform fee `feeBps` is above the `maxFeeBps` the maker signed into the order.
    error SettlementFeeAboveOrderCap(bytes32 orderHash, uint16 feeBps, uint16 maxFeeBps);
    /// @notice `side` is not a side this function accepts.
    error SettlementInvalidSide(uint8 side);
    /// @notice `unitPrice` of `batchId` in `paymentToken` is outside the band [`floor`, `ceiling`] (0 ceiling: none).
    error SettlementPriceOutOfBand(uint256 batchId, address paymentToken, uint256 unitPrice, uint128 floor, uint128 ceiling);
    /// @notice `token` is not a listed payment token ({setPaymentToken}).
    error SettlementPaymentTokenNotListed(address token);
    /// @notice `batchId` is banded, but has no band in `paymentToken` (`address(0)`: fiat), so it cannot trade in it.
    error SettlementNoPriceBand(uint256 batchId, address paymentToken);
    /// @notice `caller` may not act on this order or deal.
    error SettlementUnauthorized(address caller);

    /// @notice A deal with this id already exists (or its terms were cancelled) in `status`.
    error SettlementDealExists(bytes32 dealId, DealStatus status);
    /// @notice The deal is in `status`, which does not allow this step.
    error SettlementDealWrongStatus(bytes32 dealId, DealStatus status);
    /// @notice The condition bitmask `conditions` does not fit the deal's payment leg or account.
    error SettlementInvalidConditions(uint256 conditions);
    /// @notice The deal's deadline `deadline` has passed (now `nowTs`), or has not passed yet for a reclaim.
    error SettlementDealDeadline(bytes32 dealId, uint256 deadline, uint256 nowTs);
    /// @notice `condition` is not pending on the deal (not one of its conditions, or already confirmed).
    error SettlementConditionNotPending(bytes32 dealId, uint8 condition);
    /// @notice The deal still waits for conditions `missing`.
    error SettlementConditionsMissing(bytes32 dealId, uint8 missing);
    /// @notice REGISTRY_DELIVERY cannot hold before the bridge confirmed the deal's withdrawal `requestId`.
    error SettlementDeliveryNotConfirmed(bytes32 dealId, bytes32 requestId);
    /// @notice The attestation digest was already used.
    error SettlementAttestationUsed(bytes32 digest);
    /// @notice The leg cannot be reclaimed now (already reclaimed, delivered, paid or awaiting the registry).
    error SettlementNothingToReclaim(bytes32 dealId, address party);
    /// @notice New deals on `batchId` are refused: its registry `registryId` is paused on the bridge.
    error SettlementRegistryPaused(uint256 batchId, uint8 registryId);
    /// @notice New deals on `batchId` are refused: the batch is frozen.
    error SettlementBatchFrozen(uint256 batchId);
    /// @notice The buyer of a deal delivered on-chain is not a verified, unfrozen identity.
    error SettlementBuyerNotVerified(address buyer);
    /// @notice Settlement only accepts credits of its own token moved by itself (escrow).
    error SettlementUnexpectedReceipt(address token, address operator);
    /// @notice Fee above the cap.
    error SettlementFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice An address argument was zero.
    error SettlementZeroAddress();
    /// @notice Band with ceiling below floor.
    error SettlementInvalidBand(uint128 floor, uint128 ceiling);

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
    function fill(Order calldata order, uint256 amount, bytes calldata signature) external returns (bytes32 orderHash);

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
    ) external returns (bytes32 orderHash, bytes32 requestId);

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
    // Conditional escrow deals
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Opens a deal signed by both parties: locks the credits (and an on-chain payment) in Settlement.
     *
     * Requirements:
     * - both signatures over {hashDeal}; the deal id is unused; the deadline is in the future;
     * - conditions fit the payment leg; an ERC-20 payment token is listed; the unit price is inside the batch's
     *   band in the payment currency (fiat: `address(0)`); the batch is not frozen and its registry is not paused
     *   on the bridge; a buyer receiving on-chain is verified and unfrozen;
     * - the seller approved Settlement as operator; the buyer approved the on-chain payment.
     *
     * Emits {DealOpened}.
     */
    function openDeal(Deal calldata deal, bytes calldata sellerSignature, bytes calldata buyerSignature)
        external
        returns (bytes32 dealId);

    /**
     * @notice Cancels deal terms that were never opened. Requirements: the caller is the seller or the buyer;
     * the deal id is unused. Emits {DealCancelled}.
     */
    function cancelDeal(Deal calldata deal) external;

    /**
     * @notice Records a quorum attestation that `condition` of the deal holds. Settlement computes the EIP-712
     * digest of `DealConditionAttested(dealId, condition, evidence)` in its own domain and calls
     * `bridge.verifyQuorum(digest, signatures)`. Each digest is usable once.
     *
     * Requirements: the deal is `Open` (or `Delivering` for {CONDITION_REGISTRY_DELIVERY}, which is only
     * accepted once delivery has started and the bridge has confirmed the withdrawal); `condition` is one of its
     * pending conditions; the quorum holds.
     *
     * Emits {DealConditionConfirmed}.
     */
    function attestDealCondition(bytes32 dealId, uint8 condition, bytes32 evidence, bytes[] calldata signatures)
        external;

    /**
     * @notice Starts the registry-delivery leg: moves the escrowed credits into the bridge under a withdrawal
     * request held by Settlement towards `buyerRegistryAccount`.
     *
     * Requirements: the deal is `Open` with {CONDITION_REGISTRY_DELIVERY}; every other condition holds; the
     * deadline has not passed, unless the fiat payment is already confirmed; the bridge accepts the request.
     *
     * Emits {DealDeliveryStarted} (and the bridge's request event).
     */
    function startDelivery(bytes32 dealId) external returns (bytes32 requestId);

    /**
     * @notice Releases both legs once every condition holds: credits to the buyer (unless delivered at the
     * registry), payment less the fee to the seller, the fee to the recipient, both by the fee terms snapshotted
     * when the deal opened. Anyone may call it, also after the deadline.
     *
     * Emits {DealSettled}.
     */
    function settleDeal(bytes32 dealId) external;

    /**
     * @notice After the deadline, returns the escrowed credits to the seller (see the NatSpec of the contract
     * for when the credit leg is reclaimable). Anyone may call; the credits always go to the seller.
     *
     * Emits {DealLegReclaimed}.
     */
    function reclaimCredits(bytes32 dealId) external;

    /**
     * @notice After the deadline, returns the escrowed on-chain payment to the buyer, unless the credits are
     * delivered or awaiting the registry's answer. Anyone may call; the payment always goes to the buyer.
     *
     * Emits {DealLegReclaimed}.
     */
    function reclaimPayment(bytes32 dealId) external;

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

    /// @notice EIP-712 digest of `order` in this contract's domain; the key of its fill state.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice EIP-712 digest of `deal` in this contract's domain; the deal id.
    function hashDeal(Deal calldata deal) external view returns (bytes32);

    /// @notice EIP-712 digest of a `DealConditionAttested` the oracles sign.
    function hashDealConditionAttestation(bytes32 dealId, uint8 condition, bytes32 evidence)
        external
        view
        returns (bytes32);

    /// @notice Units filled so far of an open, partially filled order (0 for a fresh order and once closed).
    function filledAmount(bytes32 orderHash) external view returns (uint256);

    /// @notice Whether nonce `salt` of `maker` is closed (an order carrying it was filled in full or cancelled).
    function isNonceClosed(address maker, uint256 salt) external view returns (bool);

    function counterOf(address signer) external view returns (uint256);

    function deal(bytes32 dealId) external view returns (DealRecord memory);

    function priceBand(uint256 batchId, address paymentToken) external view returns (PriceBand memory);

    /// @notice Number of currencies in which `batchId` has a band; non-zero: the batch is banded.
    function priceBandCount(uint256 batchId) external view returns (uint256);

    /// @notice Whether `token` is a listed payment token.
    function isPaymentToken(address token) external view returns (bool);

    function fee() external view returns (address recipient, uint16 feeBps);

    function attestationUsed(bytes32 digest) external view returns (bool);
}
