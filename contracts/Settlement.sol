// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICreditToken} from "./interfaces/ICreditToken.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IRegistryBridge} from "./interfaces/IRegistryBridge.sol";
import {ISettlement} from "./interfaces/ISettlement.sol";

/**
 * @title Settlement
 * @notice Delivery versus payment for tokenized carbon credits (ARCHITECTURE.md §3.3).
 *
 * Instant DvP: a maker signs an {Order} (EIP-712, this contract's domain); a taker fills all or part of it in one
 * transaction in which the credits move seller -> buyer (Settlement acting as the seller's approved ERC-1155
 * operator) and the payment moves buyer -> seller (less the fee, buyer -> fee recipient), or nothing moves.
 * Identity, wallet and batch freezes and the token pause are enforced by `CreditToken` on every movement.
 * Fee: `price * feeBps / 10_000` rounded down, the seller gets the rest. Fill state: the filled amount of a
 * partially filled order under its digest, and two bits per (maker, salt) nonce (CLOSED, PARTIAL) in the maker's
 * nonce words, so a fresh order filled in full writes one already-used word. Only listed payment tokens settle;
 * price bands per (batch, payment token) apply to fills and deals alike, and a batch banded in any currency trades
 * only in currencies where it has a band. A paused registry does not stop instant DvP.
 *
 * Conditional escrow deal: both parties sign a {Deal}. {openDeal} locks the credits in this contract (and the
 * payment, when it is an ERC-20). Conditions that settle elsewhere are confirmed by the bridge's oracle quorum on a
 * `DealConditionAttested` digest in this contract's domain.
 *
 * Registry delivery (the ghost-credit rule: units leave `totalSupply` only when the registry confirms, and are
 * never released without a registry answer):
 * 1. {startDelivery} (once every other condition holds) calls `bridge.requestWithdrawalFor(address(this), ...)`:
 *    the escrowed units move into the bridge under a withdrawal request held by Settlement towards the buyer's
 *    registry account. The deal becomes `Delivering`; the units are pending withdrawal, available to nobody.
 * 2. The registry transfers to the buyer's account; the oracles sign `WithdrawalConfirmed` on the bridge (which
 *    burns) and `DealConditionAttested(REGISTRY_DELIVERY)` here, accepted only once the bridge shows the
 *    withdrawal `Confirmed`; {settleDeal} then pays the seller.
 * 3. If the registry refuses, the bridge's `WithdrawalRejected` returns the units to Settlement (the holder), so
 *    they are escrowed again for this deal; the rejection is read from the bridge's request record.
 * While the request is pending, neither leg can be reclaimed, even after the deadline: a late confirmation would
 * otherwise leave the seller delivered and unpaid (or, with the credits released, create ghost credits).
 *
 * Reclaims after the deadline (deal not settled): the seller takes back escrowed credits unless the fiat payment
 * was confirmed (then the credits belong to the buyer: settlement or delivery stays possible at any time); the
 * buyer takes back an escrowed ERC-20 payment unless the credits were delivered or are awaiting the registry.
 */
contract Settlement is ISettlement, AccessControl, EIP712, ReentrancyGuardTransient, IERC1155Receiver {
    using SafeERC20 for IERC20;

    /// @notice May set price bands and the fee.
    bytes32 public constant MARKET_ADMIN_ROLE = keccak256("MARKET_ADMIN_ROLE");
    /// @notice Order side: the maker sells credits.
    uint8 public constant SIDE_SELL = 0;
    /// @notice Order side: the maker bids for credits.
    uint8 public constant SIDE_BUY = 1;
    /// @notice Deal condition: the off-chain fiat payment reached the seller.
    uint8 public constant CONDITION_FIAT_PAYMENT_RECEIVED = 1;
    /// @notice Deal condition: the registry delivered the credits into the buyer's registry account.
    uint8 public constant CONDITION_REGISTRY_DELIVERY = 2;
    /// @notice Upper bound of the platform fee (10 %).
    uint16 public constant MAX_FEE_BPS = 1_000;
    uint256 private constant _BPS = 10_000;
    uint8 private constant _ALL_CONDITIONS = 3;
    uint256 private constant _NONCES_PER_WORD_LOG2 = 7; // 128 nonces of 2 bits per word
    uint256 private constant _NONCE_INDEX_MASK = 0x7f;
    uint256 private constant _NONCE_CLOSED = 1;
    uint256 private constant _NONCE_PARTIAL = 2;

    bytes32 private constant _ORDER_TYPEHASH = keccak256(
        "Order("
        "uint8 side,"
        "address maker,"
        "address taker,"
        "uint256 batchId,"
        "uint256 amount,"
        "uint256 unitPrice,"
        "address paymentToken,"
        "uint16 maxFeeBps,"
        "uint256 minFill,"
        "uint256 expiry,"
        "uint256 salt,"
        "uint256 counter"
        ")"
    );

    bytes32 private constant _DEAL_TYPEHASH = keccak256(
        "Deal("
        "address seller,"
        "address buyer,"
        "uint256 batchId,"
        "uint256 amount,"
        "uint256 unitPrice,"
        "address paymentToken,"
        "uint256 conditions,"
        "bytes32 buyerRegistryAccount,"
        "uint256 deadline,"
        "uint256 salt"
        ")"
    );

    bytes32 private constant _ATTESTATION_TYPEHASH = keccak256(
        "DealConditionAttested("
        "bytes32 dealId,"
        "uint8 condition,"
        "bytes32 evidence"
        ")"
    );

    struct FeeConfig {
        address recipient;
        uint16 bps;
    }

    /// @dev Fees owed by `payer` in `token` during one call, paid in one transfer to `recipient`.
    struct FeeAccrual {
        address recipient;
        uint256 bps;
        address payer;
        address token;
        uint256 amount;
    }

    ICreditToken private immutable _token;
    IRegistryBridge private immutable _bridge;
    IIdentityRegistry private immutable _identity;

    FeeConfig private _fee;
    mapping(bytes32 orderHash => uint256) private _filled;
    mapping(address maker => mapping(uint256 word => uint256 bits)) private _nonceWords;
    mapping(address signer => uint256) private _counters;
    mapping(uint256 batchId => mapping(address paymentToken => PriceBand)) private _bands;
    mapping(uint256 batchId => uint256 currencies) private _bandCounts;
    mapping(address token => bool) private _paymentTokens;
    mapping(bytes32 dealId => DealRecord) private _deals;
    mapping(bytes32 digest => bool) private _usedAttestations;

    /**
     * @param token The credit token (ERC-1155).
     * @param bridge The registry bridge: oracle quorum, retirement and withdrawal requests.
     * @param admin Receives DEFAULT_ADMIN_ROLE and MARKET_ADMIN_ROLE.
     * @param feeRecipient Receives the platform fee.
     * @param feeBps Platform fee in basis points, at most {MAX_FEE_BPS}.
     */
    constructor(
        ICreditToken token,
        IRegistryBridge bridge,
        address admin,
        address feeRecipient,
        uint16 feeBps
    ) EIP712("CarbonSettlement", "1") {
        if (address(token) == address(0) || address(bridge) == address(0) || admin == address(0)) {
            revert SettlementZeroAddress();
        }
        _token = token;
        _bridge = bridge;
        _identity = token.identityRegistry();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MARKET_ADMIN_ROLE, admin);
        _setFee(feeRecipient, feeBps);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Instant DvP
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function fill(Order calldata order, uint256 amount, bytes calldata signature)
        external
        nonReentrant
        returns (bytes32 orderHash)
    {
        FeeAccrual memory fees = _startFees();
        orderHash = _fill(order, amount, signature, fees);
        _payFees(fees);
    }

    /// @inheritdoc ISettlement
    function fillBatch(Fill[] calldata fills) external nonReentrant {
        FeeAccrual memory fees = _startFees();
        uint256 n = fills.length;
        for (uint256 i; i < n; ) {
            Fill calldata f = fills[i];
            _fill(f.order, f.amount, f.signature, fees);
            // i < n <= calldata length, cannot overflow
            unchecked {
                ++i;
            }
        }
        _payFees(fees);
    }

    /// @inheritdoc ISettlement
    function fillAndRetire(
        Order calldata order,
        uint256 amount,
        bytes calldata signature,
        bytes32 idempotencyKey,
        IRegistryBridge.RetirementDetails calldata details
    ) external nonReentrant returns (bytes32 orderHash, bytes32 requestId) {
        if (order.side != SIDE_SELL) revert SettlementInvalidSide(order.side);
        FeeAccrual memory fees = _startFees();
        orderHash = _fill(order, amount, signature, fees);
        _payFees(fees);
        requestId = _bridge.requestRetirementFor(msg.sender, order.batchId, amount, idempotencyKey, details);
        emit FillRetirementRequested(orderHash, msg.sender, requestId);
    }

    /// @inheritdoc ISettlement
    function cancel(Order calldata order) external {
        if (msg.sender != order.maker) revert SettlementUnauthorized(msg.sender);
        bytes32 orderHash = _hashOrder(order);
        uint256 salt = order.salt;
        _nonceWords[msg.sender][salt >> _NONCES_PER_WORD_LOG2] |= _NONCE_CLOSED << ((salt & _NONCE_INDEX_MASK) << 1);
        emit OrderCancelled(orderHash, msg.sender, salt);
    }

    /// @inheritdoc ISettlement
    function incrementCounter() external returns (uint256 newCounter) {
        // a counter raised by one per transaction cannot reach 2**256
        unchecked {
            newCounter = ++_counters[msg.sender];
        }
        emit CounterIncremented(msg.sender, newCounter);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Conditional escrow deals
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function openDeal(Deal calldata terms, bytes calldata sellerSignature, bytes calldata buyerSignature)
        external
        nonReentrant
        returns (bytes32 dealId)
    {
        dealId = _hashDeal(terms);
        _checkDealTerms(dealId, terms);
        _checkSignature(terms.seller, dealId, sellerSignature);
        _checkSignature(terms.buyer, dealId, buyerSignature);
        uint256 price = terms.amount * terms.unitPrice;
        _storeDeal(dealId, terms, price);
        emit DealOpened(
            dealId,
            terms.seller,
            terms.buyer,
            terms.batchId,
            terms.amount,
            price,
            terms.paymentToken,
            uint8(terms.conditions),
            uint64(terms.deadline)
        );
        _token.safeTransferFrom(terms.seller, address(this), terms.batchId, terms.amount, "");
        if (terms.paymentToken != address(0)) {
            IERC20(terms.paymentToken).safeTransferFrom(terms.buyer, address(this), price);
        }
    }

    /// @inheritdoc ISettlement
    function cancelDeal(Deal calldata terms) external {
        if (msg.sender != terms.seller && msg.sender != terms.buyer) revert SettlementUnauthorized(msg.sender);
        bytes32 dealId = _hashDeal(terms);
        DealRecord storage rec = _deals[dealId];
        if (rec.status != DealStatus.None) revert SettlementDealExists(dealId, rec.status);
        rec.status = DealStatus.Cancelled;
        emit DealCancelled(dealId, msg.sender);
    }

    /// @inheritdoc ISettlement
    function attestDealCondition(bytes32 dealId, uint8 condition, bytes32 evidence, bytes[] calldata signatures)
        external
    {
        DealRecord storage rec = _deals[dealId];
        DealStatus required = condition == CONDITION_REGISTRY_DELIVERY ? DealStatus.Delivering : DealStatus.Open;
        if (rec.status != required) revert SettlementDealWrongStatus(dealId, rec.status);
        bytes32 digest = hashDealConditionAttestation(dealId, condition, evidence);
        if (_usedAttestations[digest]) revert SettlementAttestationUsed(digest);
        _checkConditionPending(dealId, rec, condition);
        _bridge.verifyQuorum(digest, signatures);
        _usedAttestations[digest] = true;
        rec.satisfied |= condition;
        emit DealConditionConfirmed(dealId, condition, evidence, digest);
    }

    /// @inheritdoc ISettlement
    function startDelivery(bytes32 dealId) external nonReentrant returns (bytes32 requestId) {
        DealRecord storage rec = _deals[dealId];
        if (rec.status != DealStatus.Open) revert SettlementDealWrongStatus(dealId, rec.status);
        uint8 conditions = rec.conditions;
        if (conditions & CONDITION_REGISTRY_DELIVERY == 0) {
            revert SettlementConditionNotPending(dealId, CONDITION_REGISTRY_DELIVERY);
        }
        uint8 missing = conditions & ~rec.satisfied & ~CONDITION_REGISTRY_DELIVERY;
        if (missing != 0) revert SettlementConditionsMissing(dealId, missing);
        // A fiat-paid deal may deliver after the deadline (the credits belong to the buyer); an on-chain payment
        // may be reclaimed by the buyer from the deadline on, so delivery must start before it.
        if (block.timestamp >= rec.deadline && conditions & CONDITION_FIAT_PAYMENT_RECEIVED == 0) {
            revert SettlementDealDeadline(dealId, rec.deadline, block.timestamp);
        }
        requestId = _bridge.requestIdOf(address(this), dealId);
        rec.status = DealStatus.Delivering;
        rec.deliveryRequestId = requestId;
        emit DealDeliveryStarted(dealId, requestId, rec.buyerRegistryAccount);
        _bridge.requestWithdrawalFor(address(this), rec.batchId, rec.amount, dealId, rec.buyerRegistryAccount);
    }

    /// @inheritdoc ISettlement
    function settleDeal(bytes32 dealId) external nonReentrant {
        DealRecord storage rec = _deals[dealId];
        DealStatus status = rec.status;
        if (status != DealStatus.Open && status != DealStatus.Delivering) {
            revert SettlementDealWrongStatus(dealId, status);
        }
        uint8 missing = rec.conditions & ~rec.satisfied;
        if (missing != 0) revert SettlementConditionsMissing(dealId, missing);
        rec.status = DealStatus.Settled;
        address paymentToken = rec.paymentToken;
        uint256 fee_ = paymentToken == address(0) ? 0 : (rec.price * rec.feeBps) / _BPS;
        uint256 proceeds = paymentToken == address(0) ? 0 : rec.price - fee_;
        emit DealSettled(dealId, proceeds, fee_);
        if (rec.conditions & CONDITION_REGISTRY_DELIVERY == 0) {
            _token.safeTransferFrom(address(this), rec.buyer, rec.batchId, rec.amount, "");
        }
        if (paymentToken != address(0)) {
            IERC20(paymentToken).safeTransfer(rec.seller, proceeds);
            if (fee_ != 0) IERC20(paymentToken).safeTransfer(rec.feeRecipient, fee_);
        }
    }

    /// @inheritdoc ISettlement
    function reclaimCredits(bytes32 dealId) external nonReentrant {
        DealRecord storage rec = _deals[dealId];
        _checkAfterDeadline(dealId, rec);
        if (!_creditsReclaimable(rec)) revert SettlementNothingToReclaim(dealId, rec.seller);
        rec.creditsReclaimed = true;
        rec.status = DealStatus.Expired;
        emit DealLegReclaimed(dealId, rec.seller, rec.amount, 0);
        _token.safeTransferFrom(address(this), rec.seller, rec.batchId, rec.amount, "");
    }

    /// @inheritdoc ISettlement
    function reclaimPayment(bytes32 dealId) external nonReentrant {
        DealRecord storage rec = _deals[dealId];
        _checkAfterDeadline(dealId, rec);
        if (!_paymentReclaimable(rec)) revert SettlementNothingToReclaim(dealId, rec.buyer);
        rec.paymentReclaimed = true;
        rec.status = DealStatus.Expired;
        emit DealLegReclaimed(dealId, rec.buyer, 0, rec.price);
        IERC20(rec.paymentToken).safeTransfer(rec.buyer, rec.price);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function setPriceBand(uint256 batchId, address paymentToken, uint128 floor, uint128 ceiling)
        external
        onlyRole(MARKET_ADMIN_ROLE)
    {
        if (ceiling != 0 && ceiling < floor) revert SettlementInvalidBand(floor, ceiling);
        PriceBand storage band = _bands[batchId][paymentToken];
        bool had = band.floor != 0 || band.ceiling != 0;
        bool has = floor != 0 || ceiling != 0;
        if (had != has) {
            // at most one band per (batch, currency): the count cannot underflow or overflow
            unchecked {
                _bandCounts[batchId] = has ? _bandCounts[batchId] + 1 : _bandCounts[batchId] - 1;
            }
        }
        (band.floor, band.ceiling) = (floor, ceiling);
        emit PriceBandSet(batchId, paymentToken, floor, ceiling);
    }

    /// @inheritdoc ISettlement
    function setPaymentToken(address token, bool listed) external onlyRole(MARKET_ADMIN_ROLE) {
        if (token == address(0)) revert SettlementZeroAddress();
        _paymentTokens[token] = listed;
        emit PaymentTokenSet(token, listed);
    }

    /// @inheritdoc ISettlement
    function setFee(address recipient, uint16 feeBps) external onlyRole(MARKET_ADMIN_ROLE) {
        _setFee(recipient, feeBps);
    }

    // ---------------------------------------------------------------------------------------------------------
    // ERC-1155 receiver: only escrow deposits made by Settlement itself
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Accepts credits of the configured token moved by Settlement itself ({openDeal}); refuses the rest,
    /// so Settlement's balance is always the sum of its escrows.
    function onERC1155Received(address operator, address, uint256, uint256, bytes calldata)
        external
        view
        returns (bytes4)
    {
        _checkReceipt(operator);
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @notice Refuses batch receipts unless moved by Settlement itself (it never makes any).
    function onERC1155BatchReceived(address operator, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        view
        returns (bytes4)
    {
        _checkReceipt(operator);
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashOrder(order);
    }

    /// @inheritdoc ISettlement
    function hashDeal(Deal calldata terms) external view returns (bytes32) {
        return _hashDeal(terms);
    }

    /// @inheritdoc ISettlement
    function hashDealConditionAttestation(bytes32 dealId, uint8 condition, bytes32 evidence)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(_ATTESTATION_TYPEHASH, dealId, condition, evidence)));
    }

    /// @inheritdoc ISettlement
    function filledAmount(bytes32 orderHash) external view returns (uint256) {
        return _filled[orderHash];
    }

    /// @inheritdoc ISettlement
    function isNonceClosed(address maker, uint256 salt) external view returns (bool) {
        uint256 bits = _nonceWords[maker][salt >> _NONCES_PER_WORD_LOG2];
        return (bits >> ((salt & _NONCE_INDEX_MASK) << 1)) & _NONCE_CLOSED != 0;
    }

    /// @inheritdoc ISettlement
    function counterOf(address signer) external view returns (uint256) {
        return _counters[signer];
    }

    /// @inheritdoc ISettlement
    function deal(bytes32 dealId) external view returns (DealRecord memory) {
        return _deals[dealId];
    }

    /// @inheritdoc ISettlement
    function priceBand(uint256 batchId, address paymentToken) external view returns (PriceBand memory) {
        return _bands[batchId][paymentToken];
    }

    /// @inheritdoc ISettlement
    function priceBandCount(uint256 batchId) external view returns (uint256) {
        return _bandCounts[batchId];
    }

    /// @inheritdoc ISettlement
    function isPaymentToken(address token) external view returns (bool) {
        return _paymentTokens[token];
    }

    /// @inheritdoc ISettlement
    function fee() external view returns (address recipient, uint16 feeBps) {
        FeeConfig memory f = _fee;
        return (f.recipient, f.bps);
    }

    /// @inheritdoc ISettlement
    function attestationUsed(bytes32 digest) external view returns (bool) {
        return _usedAttestations[digest];
    }

    /// @notice The credit token, bridge and identity registry this contract settles against.
    function dependencies() external view returns (ICreditToken token, IRegistryBridge bridge, IIdentityRegistry identity) {
        return (_token, _bridge, _identity);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals: orders
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Validates and records one fill, then moves payment and credits; the fee is added to `fees`. Effects
    /// (fill state, event) come before every external call; callers hold the reentrancy lock.
    function _fill(Order calldata order, uint256 amount, bytes calldata signature, FeeAccrual memory fees)
        private
        returns (bytes32 orderHash)
    {
        orderHash = _recordFill(order, amount, signature);
        // bps <= MAX_FEE_BPS fits uint16
        if (fees.bps > order.maxFeeBps) revert SettlementFeeAboveOrderCap(orderHash, uint16(fees.bps), order.maxFeeBps);
        (address seller, address buyer) = order.side == SIDE_SELL ? (order.maker, msg.sender) : (msg.sender, order.maker);
        uint256 price = amount * order.unitPrice;
        // rounds down: the fee never exceeds bps/10_000 of the price; the seller receives the rest
        uint256 fee_ = (price * fees.bps) / _BPS;
        emit OrderFilled(orderHash, seller, buyer, order.batchId, amount, price, fee_);
        address paymentToken = order.paymentToken;
        // fee_ <= price because bps <= MAX_FEE_BPS < _BPS
        unchecked {
            IERC20(paymentToken).safeTransferFrom(buyer, seller, price - fee_);
        }
        if (fee_ != 0) _accrueFee(fees, buyer, paymentToken, fee_);
        _token.safeTransferFrom(seller, buyer, order.batchId, amount, "");
    }

    /// @dev Checks the order and the requested amount and records the fill. Each (maker, salt) nonce has two bits
    /// in the maker's nonce words: CLOSED (filled in full or cancelled) and PARTIAL (some order with this nonce has
    /// a recorded filled amount). A fresh order filled in full touches only its nonce word. The maker's signature
    /// is checked while nothing is recorded under the digest: a recorded fill proves an earlier check.
    function _recordFill(Order calldata order, uint256 amount, bytes calldata signature)
        private
        returns (bytes32 orderHash)
    {
        orderHash = _hashOrder(order);
        _checkOrder(order, orderHash);
        address maker = order.maker;
        uint256 salt = order.salt;
        mapping(uint256 => uint256) storage words = _nonceWords[maker];
        uint256 bits = words[salt >> _NONCES_PER_WORD_LOG2];
        uint256 shift = (salt & _NONCE_INDEX_MASK) << 1;
        uint256 state = (bits >> shift) & 3;
        if (state & _NONCE_CLOSED != 0) revert SettlementOrderClosed(orderHash, maker, salt);
        uint256 filled = state == 0 ? 0 : _filled[orderHash];
        if (filled == 0) _checkSignature(maker, orderHash, signature);
        uint256 remaining = _checkAmount(orderHash, order, amount, filled);
        if (amount == remaining) {
            words[salt >> _NONCES_PER_WORD_LOG2] = bits | (_NONCE_CLOSED << shift);
            if (filled != 0) delete _filled[orderHash];
        } else {
            // filled + amount < order.amount: no overflow
            unchecked {
                _filled[orderHash] = filled + amount;
            }
            if (state == 0) words[salt >> _NONCES_PER_WORD_LOG2] = bits | (_NONCE_PARTIAL << shift);
        }
    }

    function _checkAmount(bytes32 orderHash, Order calldata order, uint256 amount, uint256 filled)
        private
        pure
        returns (uint256 remaining)
    {
        uint256 total = order.amount;
        if (amount == 0) revert SettlementZeroAmount();
        // an open order's recorded fill is always below its amount
        unchecked {
            remaining = total - filled;
        }
        if (amount > remaining) revert SettlementOverfill(orderHash, filled, amount, total);
        if (amount < order.minFill && amount != remaining) {
            revert SettlementFillBelowMinimum(orderHash, amount, order.minFill, remaining);
        }
    }

    function _startFees() private view returns (FeeAccrual memory fees) {
        FeeConfig memory config = _fee;
        fees.recipient = config.recipient;
        fees.bps = config.bps;
    }

    /// @dev Adds `fee_` owed by `payer` in `token`; pays what was owed first when the payer or token changes.
    function _accrueFee(FeeAccrual memory fees, address payer, address token, uint256 fee_) private {
        if (fees.payer != payer || fees.token != token) {
            _payFees(fees);
            fees.payer = payer;
            fees.token = token;
        }
        fees.amount += fee_;
    }

    function _payFees(FeeAccrual memory fees) private {
        uint256 owed = fees.amount;
        if (owed == 0) return;
        fees.amount = 0;
        IERC20(fees.token).safeTransferFrom(fees.payer, fees.recipient, owed);
    }

    function _checkOrder(Order calldata order, bytes32 orderHash) private view {
        if (order.side > SIDE_BUY) revert SettlementInvalidSide(order.side);
        if (block.timestamp >= order.expiry) revert SettlementOrderExpired(orderHash, order.expiry, block.timestamp);
        address taker = order.taker;
        if (taker != address(0) && taker != msg.sender) revert SettlementUnauthorizedTaker(orderHash, taker, msg.sender);
        uint256 current = _counters[order.maker];
        if (order.counter != current) revert SettlementStaleCounter(order.maker, order.counter, current);
        _checkPaymentToken(order.paymentToken);
        _checkBand(order.batchId, order.paymentToken, order.unitPrice);
    }

    /// @dev `keccak256(abi.encode(_ORDER_TYPEHASH, order))` over the raw calldata words of the static struct. A
    /// non-canonical encoding (dirty high bits) hashes differently from what any maker signed, so it fails the
    /// signature check instead of aliasing another order's fill state.
    function _hashOrder(Order calldata order) private view returns (bytes32) {
        bytes32 typehash = _ORDER_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), order, 0x180)
            structHash := keccak256(ptr, 0x1a0)
        }
        return _hashTypedDataV4(structHash);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals: deals
    // ---------------------------------------------------------------------------------------------------------

    function _hashDeal(Deal calldata terms) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_DEAL_TYPEHASH, terms)));
    }

    function _checkDealTerms(bytes32 dealId, Deal calldata terms) private view {
        DealStatus status = _deals[dealId].status;
        if (status != DealStatus.None) revert SettlementDealExists(dealId, status);
        if (block.timestamp >= terms.deadline) revert SettlementDealDeadline(dealId, terms.deadline, block.timestamp);
        if (terms.amount == 0) revert SettlementZeroAmount();
        _checkConditions(terms);
        if (terms.paymentToken != address(0)) _checkPaymentToken(terms.paymentToken);
        _checkBand(terms.batchId, terms.paymentToken, terms.unitPrice);
        _checkBatchOpenForDeals(terms.batchId);
        if (terms.conditions & CONDITION_REGISTRY_DELIVERY == 0 && !_identity.isEligible(terms.buyer)) {
            revert SettlementBuyerNotVerified(terms.buyer);
        }
    }

    function _checkConditions(Deal calldata terms) private pure {
        uint256 conditions = terms.conditions;
        bool fiat = terms.paymentToken == address(0);
        bool delivery = conditions & CONDITION_REGISTRY_DELIVERY != 0;
        if (
            conditions > _ALL_CONDITIONS || fiat != (conditions & CONDITION_FIAT_PAYMENT_RECEIVED != 0)
                || (delivery && terms.buyerRegistryAccount == bytes32(0))
        ) revert SettlementInvalidConditions(conditions);
    }

    function _checkBatchOpenForDeals(uint256 batchId) private view {
        ICreditToken.BatchState memory batch = _token.batchState(batchId);
        if (batch.frozen) revert SettlementBatchFrozen(batchId);
        if (_bridge.isRegistryPaused(batch.registryId)) revert SettlementRegistryPaused(batchId, batch.registryId);
    }

    function _storeDeal(bytes32 dealId, Deal calldata terms, uint256 price) private {
        DealRecord storage rec = _deals[dealId];
        rec.seller = terms.seller;
        rec.status = DealStatus.Open;
        rec.conditions = uint8(terms.conditions);
        rec.buyer = terms.buyer;
        rec.deadline = SafeCast.toUint64(terms.deadline);
        rec.paymentToken = terms.paymentToken;
        // The fee terms in force now are the deal's (a later setFee, even turning fees off, does not reach it);
        // nothing is stored for a fiat leg or a zero fee.
        FeeConfig memory config = _fee;
        if (terms.paymentToken != address(0) && config.bps != 0) {
            rec.feeBps = config.bps;
            rec.feeRecipient = config.recipient;
        }
        rec.batchId = terms.batchId;
        rec.amount = terms.amount;
        rec.price = price;
        rec.buyerRegistryAccount = terms.buyerRegistryAccount;
    }

    /// @dev `condition` is one of the deal's unconfirmed conditions. REGISTRY_DELIVERY additionally needs the
    /// bridge to have confirmed (and burned) the deal's withdrawal: the oracles' word on the deal never outruns the
    /// bridge's own quorum-checked record of the registry transfer.
    function _checkConditionPending(bytes32 dealId, DealRecord storage rec, uint8 condition) private view {
        if (!_isSingleCondition(condition) || rec.conditions & condition == 0 || rec.satisfied & condition != 0) {
            revert SettlementConditionNotPending(dealId, condition);
        }
        if (condition == CONDITION_REGISTRY_DELIVERY) {
            bytes32 requestId = rec.deliveryRequestId;
            if (_bridge.requestOf(requestId).status != IRegistryBridge.RequestStatus.Confirmed) {
                revert SettlementDeliveryNotConfirmed(dealId, requestId);
            }
        }
    }

    function _checkAfterDeadline(bytes32 dealId, DealRecord storage rec) private view {
        if (rec.status == DealStatus.None) revert SettlementDealWrongStatus(dealId, rec.status);
        if (block.timestamp < rec.deadline) revert SettlementDealDeadline(dealId, rec.deadline, block.timestamp);
    }

    /// @dev The seller's credits are reclaimable when they sit in escrow for this deal (never moved to the bridge,
    /// or returned by a registry rejection), the deal cannot settle, and the fiat payment was not confirmed.
    function _creditsReclaimable(DealRecord storage rec) private view returns (bool) {
        if (rec.creditsReclaimed || rec.satisfied & CONDITION_FIAT_PAYMENT_RECEIVED != 0) return false;
        DealStatus status = rec.status;
        if (status == DealStatus.Open || status == DealStatus.Expired) return rec.conditions != rec.satisfied;
        return status == DealStatus.Delivering && _deliveryRejected(rec.deliveryRequestId);
    }

    /// @dev The buyer's on-chain payment is reclaimable when the credits were not delivered and are not awaiting
    /// the registry's answer, and the deal cannot settle.
    function _paymentReclaimable(DealRecord storage rec) private view returns (bool) {
        if (rec.paymentReclaimed || rec.paymentToken == address(0)) return false;
        DealStatus status = rec.status;
        if (status == DealStatus.Open || status == DealStatus.Expired) return rec.conditions != rec.satisfied;
        return status == DealStatus.Delivering && _deliveryRejected(rec.deliveryRequestId);
    }

    function _deliveryRejected(bytes32 requestId) private view returns (bool) {
        return _bridge.isRequestRejected(requestId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals: shared
    // ---------------------------------------------------------------------------------------------------------

    /// @dev ECDSA first (no account access for an EOA signer), then ERC-1271 for contract signers (smart wallets).
    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) private view {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (signer.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature)) {
            revert SettlementInvalidSignature(signer, digest);
        }
    }

    function _checkPaymentToken(address token) private view {
        if (!_paymentTokens[token]) revert SettlementPaymentTokenNotListed(token);
    }

    /// @dev An unbanded batch (no band in any currency: one read) trades at any price. A banded one must have a band
    /// in `paymentToken`, so pricing in another currency cannot escape the band.
    function _checkBand(uint256 batchId, address paymentToken, uint256 unitPrice) private view {
        if (_bandCounts[batchId] == 0) return;
        PriceBand memory band = _bands[batchId][paymentToken];
        if (band.floor == 0 && band.ceiling == 0) revert SettlementNoPriceBand(batchId, paymentToken);
        if (unitPrice < band.floor || (band.ceiling != 0 && unitPrice > band.ceiling)) {
            revert SettlementPriceOutOfBand(batchId, paymentToken, unitPrice, band.floor, band.ceiling);
        }
    }

    function _checkReceipt(address operator) private view {
        if (msg.sender != address(_token) || operator != address(this)) {
            revert SettlementUnexpectedReceipt(msg.sender, operator);
        }
    }

    function _isSingleCondition(uint8 condition) private pure returns (bool) {
        return condition == CONDITION_FIAT_PAYMENT_RECEIVED || condition == CONDITION_REGISTRY_DELIVERY;
    }

    function _setFee(address recipient, uint16 feeBps) private {
        if (feeBps > MAX_FEE_BPS) revert SettlementFeeTooHigh(feeBps, MAX_FEE_BPS);
        if (recipient == address(0) && feeBps != 0) revert SettlementZeroAddress();
        _fee = FeeConfig(recipient, feeBps);
        emit FeeSet(recipient, feeBps);
    }
}
