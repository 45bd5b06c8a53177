// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {ISettlementMarket} from "./ISettlementMarket.sol";

/// @notice The id of a deal: the EIP-712 digest of its {ISettlementDeals.Deal} terms in Settlement's domain, which
/// both parties sign. A type of its own so that it is never taken for a request id, an attestation digest, an
/// evidence hash or a registry account (all `bytes32` too).
type DealId is bytes32;

/**
 * @title ISettlementDeals
 * @notice Conditional escrow deals whose off-chain legs (fiat payment, delivery into the buyer's registry account)
 * are confirmed by the oracle quorum kept by the registry bridge. Part of {ISettlement}.
 */
interface ISettlementDeals is ISettlementMarket {
    // ---------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------

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

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A deal was opened: credits and an on-chain payment are escrowed.
    event DealOpened(
        DealId indexed dealId,
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
    event DealCancelled(DealId indexed dealId, address indexed by);

    /// @notice The oracle quorum confirmed `condition` of the deal; `evidence` is the off-chain reference.
    event DealConditionConfirmed(DealId indexed dealId, uint8 indexed condition, bytes32 evidence, bytes32 attestation);

    /// @notice Escrowed credits of the deal moved into the bridge under withdrawal request `requestId`.
    event DealDeliveryStarted(DealId indexed dealId, bytes32 indexed requestId, bytes32 buyerRegistryAccount);

    /// @notice Every condition held and both legs were released.
    event DealSettled(DealId indexed dealId, uint256 sellerProceeds, uint256 fee);

    /// @notice After the deadline, `party` took back its own leg (`credits` units or `payment`).
    event DealLegReclaimed(DealId indexed dealId, address indexed party, uint256 credits, uint256 payment);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A deal with this id already exists (or its terms were cancelled) in `status`.
    error SettlementDealExists(DealId dealId, DealStatus status);

    /// @notice The deal is in `status`, which does not allow this step.
    error SettlementDealWrongStatus(DealId dealId, DealStatus status);

    /// @notice The condition bitmask `conditions` does not fit the deal's payment leg or account.
    error SettlementInvalidConditions(uint256 conditions);

    /// @notice The deal's deadline `deadline` has passed (now `nowTs`), or has not passed yet for a reclaim.
    error SettlementDealDeadline(DealId dealId, uint256 deadline, uint256 nowTs);

    /// @notice `condition` is not pending on the deal (not one of its conditions, or already confirmed).
    error SettlementConditionNotPending(DealId dealId, uint8 condition);

    /// @notice The deal still waits for conditions `missing`.
    error SettlementConditionsMissing(DealId dealId, uint8 missing);

    /// @notice REGISTRY_DELIVERY cannot hold before the bridge confirmed the deal's withdrawal `requestId`.
    error SettlementDeliveryNotConfirmed(DealId dealId, bytes32 requestId);

    /// @notice The attestation digest was already used.
    error SettlementAttestationUsed(bytes32 digest);

    /// @notice The leg cannot be reclaimed now (already reclaimed, delivered, paid or awaiting the registry).
    error SettlementNothingToReclaim(DealId dealId, address party);

    /// @notice New deals on `batchId` are refused: its registry `registryId` is paused on the bridge.
    error SettlementRegistryPaused(uint256 batchId, uint8 registryId);

    /// @notice New deals on `batchId` are refused: the batch is frozen.
    error SettlementBatchFrozen(uint256 batchId);

    /// @notice The buyer of a deal delivered on-chain is not a verified, unfrozen identity.
    error SettlementBuyerNotVerified(address buyer);

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
        returns (DealId dealId);

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
    function attestDealCondition(DealId dealId, uint8 condition, bytes32 evidence, bytes[] calldata signatures)
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
    function startDelivery(DealId dealId) external returns (bytes32 requestId);

    /**
     * @notice Releases both legs once every condition holds: credits to the buyer (unless delivered at the
     * registry), payment less the fee to the seller, the fee to the recipient, both by the fee terms snapshotted
     * when the deal opened. Anyone may call it, also after the deadline.
     *
     * Emits {DealSettled}.
     */
    function settleDeal(DealId dealId) external;

    /**
     * @notice After the deadline, returns the escrowed credits to the seller (see the NatSpec of the contract
     * for when the credit leg is reclaimable). Anyone may call; the credits always go to the seller.
     *
     * Emits {DealLegReclaimed}.
     */
    function reclaimCredits(DealId dealId) external;

    /**
     * @notice After the deadline, returns the escrowed on-chain payment to the buyer, unless the credits are
     * delivered or awaiting the registry's answer. Anyone may call; the payment always goes to the buyer.
     *
     * Emits {DealLegReclaimed}.
     */
    function reclaimPayment(DealId dealId) external;

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice EIP-712 digest of `deal` in this contract's domain; the deal id.
    function hashDeal(Deal calldata deal) external view returns (DealId);

    /// @notice EIP-712 digest of a `DealConditionAttested` the oracles sign.
    function hashDealConditionAttestation(DealId dealId, uint8 condition, bytes32 evidence)
        external
        view
        returns (bytes32);

    function deal(DealId dealId) external view returns (DealRecord memory);

    function attestationUsed(bytes32 digest) external view returns (bool);
}
