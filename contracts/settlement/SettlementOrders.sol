// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IRegistryBridge} from "../interfaces/IRegistryBridge.sol";
import {ISettlementOrders, OrderHash} from "../interfaces/ISettlementOrders.sol";
import {SettlementBase} from "./SettlementBase.sol";

/**
 * @title SettlementOrders
 * @notice Instant delivery versus payment (ARCHITECTURE.md §3.3): a maker signs an {Order} (EIP-712, Settlement's
 * domain); a taker fills all or part of it in one transaction in which the credits move seller -> buyer
 * (Settlement acting as the seller's approved ERC-1155 operator) and the payment moves buyer -> seller (less the
 * fee, buyer -> fee recipient), or nothing moves. Identity, wallet and batch freezes and the token pause are
 * enforced by `CreditToken` on every movement; a paused registry does not stop instant DvP.
 *
 * Fee: `price * feeBps / 10_000` rounded down, the seller gets the rest; never above the order's signed
 * `maxFeeBps`. Fill state: the filled amount of a partially filled order under its digest, and two bits per
 * (maker, salt) nonce (CLOSED, PARTIAL) in the maker's nonce words, so a fresh order filled in full writes one
 * already-used word.
 */
abstract contract SettlementOrders is ISettlementOrders, SettlementBase {
    using SafeERC20 for IERC20;

    /// @notice Order side: the maker sells credits.
    uint8 public constant SIDE_SELL = 0;
    /// @notice Order side: the maker bids for credits.
    uint8 public constant SIDE_BUY = 1;
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

    /// @dev Fees owed by `payer` in `token` during one call, paid in one transfer to `recipient`.
    struct FeeAccrual {
        address recipient;
        uint256 bps;
        address payer;
        address token;
        uint256 amount;
    }

    mapping(address maker => mapping(uint256 word => uint256 bits)) private _nonceWords;
    mapping(address signer => uint256) private _counters;
    mapping(OrderHash orderHash => uint256) private _filled;

    // ---------------------------------------------------------------------------------------------------------
    // Instant DvP
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementOrders
    function fill(Order calldata order, uint256 amount, bytes calldata signature)
        external
        nonReentrant
        returns (OrderHash orderHash)
    {
        FeeAccrual memory fees = _startFees();
        orderHash = _fill(order, amount, signature, fees);
        _payFees(fees);
    }

    /// @inheritdoc ISettlementOrders
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

    /// @inheritdoc ISettlementOrders
    function fillAndRetire(
        Order calldata order,
        uint256 amount,
        bytes calldata signature,
        bytes32 idempotencyKey,
        IRegistryBridge.RetirementDetails calldata details
    ) external nonReentrant returns (OrderHash orderHash, bytes32 requestId) {
        if (order.side != SIDE_SELL) revert SettlementInvalidSide(order.side);
        FeeAccrual memory fees = _startFees();
        orderHash = _fill(order, amount, signature, fees);
        _payFees(fees);
        requestId = _bridge.requestRetirementFor(msg.sender, order.batchId, amount, idempotencyKey, details);
        emit FillRetirementRequested(orderHash, msg.sender, requestId);
    }

    /// @inheritdoc ISettlementOrders
    function cancel(Order calldata order) external {
        if (msg.sender != order.maker) revert SettlementUnauthorized(msg.sender);
        OrderHash orderHash = _hashOrder(order);
        uint256 salt = order.salt;
        _nonceWords[msg.sender][salt >> _NONCES_PER_WORD_LOG2] |= _NONCE_CLOSED << ((salt & _NONCE_INDEX_MASK) << 1);
        emit OrderCancelled(orderHash, msg.sender, salt);
    }

    /// @inheritdoc ISettlementOrders
    function incrementCounter() external returns (uint256 newCounter) {
        // a counter raised by one per transaction cannot reach 2**256
        unchecked {
            newCounter = ++_counters[msg.sender];
        }
        emit CounterIncremented(msg.sender, newCounter);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementOrders
    function hashOrder(Order calldata order) external view returns (OrderHash) {
        return _hashOrder(order);
    }

    /// @inheritdoc ISettlementOrders
    function filledAmount(OrderHash orderHash) external view returns (uint256) {
        return _filled[orderHash];
    }

    /// @inheritdoc ISettlementOrders
    function isNonceClosed(address maker, uint256 salt) external view returns (bool) {
        uint256 bits = _nonceWords[maker][salt >> _NONCES_PER_WORD_LOG2];
        return (bits >> ((salt & _NONCE_INDEX_MASK) << 1)) & _NONCE_CLOSED != 0;
    }

    /// @inheritdoc ISettlementOrders
    function counterOf(address signer) external view returns (uint256) {
        return _counters[signer];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Validates and records one fill, then moves payment and credits; the fee is added to `fees`. Effects
    /// (fill state, event) come before every external call; callers hold the reentrancy lock.
    function _fill(Order calldata order, uint256 amount, bytes calldata signature, FeeAccrual memory fees)
        private
        returns (OrderHash orderHash)
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
        returns (OrderHash orderHash)
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
        if (filled == 0) _checkSignature(maker, OrderHash.unwrap(orderHash), signature);
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

    function _checkAmount(OrderHash orderHash, Order calldata order, uint256 amount, uint256 filled)
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

    function _checkOrder(Order calldata order, OrderHash orderHash) private view {
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
    function _hashOrder(Order calldata order) private view returns (OrderHash) {
        bytes32 typehash = _ORDER_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), order, 0x180)
            structHash := keccak256(ptr, 0x1a0)
        }
        return OrderHash.wrap(_hashTypedDataV4(structHash));
    }
}
