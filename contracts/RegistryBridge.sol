// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICreditToken} from "./interfaces/ICreditToken.sol";
import {IRegistryBridge} from "./interfaces/IRegistryBridge.sol";
import {Attestations} from "./libraries/Attestations.sol";
import {SerialRanges} from "./libraries/SerialRanges.sol";

/// @title RegistryBridge
/// @notice The only minter and burner of {CreditToken}: acts only on registry facts attested by an M-of-N oracle
/// quorum (EIP-712, domain "CarbonRegistryBridge" v1 with chain id and this address).
/// @dev Storage choices, for gas:
/// - A request is ONE slot: `paramsTag (128) | payload (120) | flags (8)`. The tag binds a repeated idempotency key
///   and every registry answer to the request's exact parameters (which the answer carries in calldata), so nothing
///   else about the request is stored: holder, batch, amount and details are in the request event. The payload is
///   the deadline while pending and the certificate (a 120-bit commitment to the registry reference hash and the
///   serial range hash, both in the confirmation event) once confirmed: a confirmation rewrites one warm slot
///   instead of creating a new one. 128 and 120 bits keep second preimages out of reach (2^128, 2^120 work).
/// - A request's answer is usable once because the request leaves `Pending`; deposits are usable once by
///   `depositId`; reserve attestations by a strictly increasing `asOf` per batch. No digest is stored.
/// - Deposited serial blocks: per batch a sorted doubly-linked list of disjoint ranges ({SerialRanges}), one word
///   per block. A deposit's relayer-supplied hint (the nearest block below) makes the overlap check two reads; a
///   withdrawal that takes a whole deposited block unlinks it without a hint.
/// - Batched answers are signed once as an EIP-712 array (`...Batch(X[] items)`): one quorum check (ecrecover and
///   oracle-set reads) per transaction instead of per item. Replaying a batch fails on its first item (already
///   answered), and each item is checked exactly as its single form.
contract RegistryBridge is IRegistryBridge, AccessControl, EIP712, ReentrancyGuardTransient {
    using SerialRanges for SerialRanges.Set;

    /// @notice Pauses and unpauses registries.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Opens requests on a holder's behalf (granted to Settlement).
    bytes32 public constant REQUESTER_ROLE = keccak256("REQUESTER_ROLE");
    /// @notice Reason code of the automatic batch freeze on a reserve shortfall.
    uint16 public constant RESERVE_SHORTFALL_REASON = 1;

    uint256 private constant _STATUS_MASK = 0x3;
    uint256 private constant _KIND_SHIFT = 2;
    uint256 private constant _OVERDUE_BIT = 0x10;
    uint256 private constant _PAYLOAD_SHIFT = 8;
    uint256 private constant _PAYLOAD_MASK = (1 << 120) - 1;
    uint256 private constant _TAG_SHIFT = 128;

    struct OracleConfig {
        uint8 threshold;
        uint32 epoch;
    }

    struct Reserve {
        uint192 units;
        uint64 asOf;
    }

    ICreditToken private immutable _token;
    uint40 private immutable _window;

    OracleConfig private _oracleConfig;
    address[] private _oracles;
    mapping(address oracle => uint32 epoch) private _oracleEpochOf;
    uint256 private _pausedRegistries;
    mapping(bytes32 requestId => uint256 packed) private _requests;
    mapping(bytes32 depositId => bool) private _depositUsed;
    mapping(uint256 batchId => SerialRanges.Set) private _deposited;
    mapping(uint256 batchId => Reserve) private _reserves;

    constructor(ICreditToken token_, address admin, address[] memory oracles_, uint8 threshold_, uint40 window_)
        EIP712("CarbonRegistryBridge", "1")
    {
        if (address(token_) == address(0) || admin == address(0)) revert RegistryBridgeZeroAddress();
        _token = token_;
        _window = window_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setOracles(oracles_, threshold_);
    }

    // ------------------------------------------------------------------------------------------------ admin

    /// @inheritdoc IRegistryBridge
    function setOracles(address[] calldata oracles_, uint8 threshold_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setOracles(oracles_, threshold_);
    }

    /// @inheritdoc IRegistryBridge
    function pauseRegistry(uint8 registryId) external onlyRole(GUARDIAN_ROLE) {
        _setRegistryPaused(registryId, true);
        emit RegistryPaused(registryId, msg.sender);
    }

    /// @inheritdoc IRegistryBridge
    function unpauseRegistry(uint8 registryId) external onlyRole(GUARDIAN_ROLE) {
        _setRegistryPaused(registryId, false);
        emit RegistryUnpaused(registryId, msg.sender);
    }

    // ------------------------------------------------------------------------------------------------ requests

    /// @inheritdoc IRegistryBridge
    function requestRetirement(
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        RetirementDetails calldata details
    ) external nonReentrant returns (bytes32) {
        return _requestRetirement(msg.sender, batchId, amount, idempotencyKey, details, false);
    }

    /// @inheritdoc IRegistryBridge
    function requestRetirementFor(
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        RetirementDetails calldata details
    ) external onlyRole(REQUESTER_ROLE) nonReentrant returns (bytes32) {
        return _requestRetirement(holder, batchId, amount, idempotencyKey, details, true);
    }

    /// @inheritdoc IRegistryBridge
    function requestWithdrawal(uint256 batchId, uint256 amount, bytes32 idempotencyKey, bytes32 registryAccount)
        external
        nonReentrant
        returns (bytes32)
    {
        return _requestWithdrawal(msg.sender, batchId, amount, idempotencyKey, registryAccount, false);
    }

    /// @inheritdoc IRegistryBridge
    function requestWithdrawalFor(
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        bytes32 registryAccount
    ) external onlyRole(REQUESTER_ROLE) nonReentrant returns (bytes32) {
        return _requestWithdrawal(holder, batchId, amount, idempotencyKey, registryAccount, true);
    }

    /// @inheritdoc IRegistryBridge
    function flagOverdue(bytes32 requestId) external {
        uint256 word = _requests[requestId];
        if (word & _STATUS_MASK != uint256(RequestStatus.Pending)) {
            revert RegistryBridgeRequestNotPending(requestId, _kindOf(word), _statusOf(word));
        }
        uint40 deadline = uint40(word >> _PAYLOAD_SHIFT);
        if (block.timestamp <= deadline) revert RegistryBridgeRequestNotOverdue(requestId, deadline);
        if (word & _OVERDUE_BIT != 0) revert RegistryBridgeRequestAlreadyFlagged(requestId);
        _requests[requestId] = word | _OVERDUE_BIT;
        emit RequestOverdue(requestId, deadline, msg.sender);
    }

    // ------------------------------------------------------------------------------------------------ answers

    /// @inheritdoc IRegistryBridge
    function confirmDeposit(DepositConfirmation calldata deposit, bytes[] calldata signatures, uint64 hint)
        external
        nonReentrant
        returns (uint256)
    {
        _verifyQuorum(_hashTypedDataV4(Attestations.hash(deposit)), signatures);
        return _confirmDeposit(deposit, hint);
    }

    /// @inheritdoc IRegistryBridge
    function confirmDeposits(
        DepositConfirmation[] calldata deposits,
        bytes[] calldata signatures,
        uint64[] calldata hints
    ) external nonReentrant {
        if (deposits.length == 0) revert RegistryBridgeEmptyBatch();
        if (hints.length != deposits.length) revert RegistryBridgeHintCount(deposits.length, hints.length);
        _verifyQuorum(_hashTypedDataV4(Attestations.hashBatch(deposits)), signatures);
        for (uint256 i = 0; i < deposits.length; ++i) {
            _confirmDeposit(deposits[i], hints[i]);
        }
    }

    /// @inheritdoc IRegistryBridge
    function confirmRetirement(RetirementConfirmation calldata confirmation, bytes[] calldata signatures)
        external
        nonReentrant
    {
        _verifyQuorum(_hashTypedDataV4(Attestations.hash(confirmation)), signatures);
        _confirmRetirement(confirmation);
    }

    /// @inheritdoc IRegistryBridge
    function confirmRetirements(RetirementConfirmation[] calldata confirmations, bytes[] calldata signatures)
        external
        nonReentrant
    {
        if (confirmations.length == 0) revert RegistryBridgeEmptyBatch();
        _verifyQuorum(_hashTypedDataV4(Attestations.hashBatch(confirmations)), signatures);
        for (uint256 i = 0; i < confirmations.length; ++i) {
            _confirmRetirement(confirmations[i]);
        }
    }

    /// @inheritdoc IRegistryBridge
    function rejectRetirement(RetirementRejection calldata r, bytes[] calldata signatures) external nonReentrant {
        _verifyQuorum(_hashTypedDataV4(Attestations.hash(r)), signatures);
        uint256 tag = _tagOf(RequestKind.Retirement, r.holder, r.batchId, r.amount, r.detailsHash);
        _closeRequest(r.requestId, RequestKind.Retirement, tag, RequestStatus.Rejected, 0);
        _token.bridgeTransfer(address(this), r.holder, r.batchId, r.amount);
        emit RetirementRejected(r.requestId, r.holder, r.batchId, r.amount, r.reasonHash);
    }

    /// @inheritdoc IRegistryBridge
    function confirmWithdrawal(WithdrawalConfirmation calldata confirmation, bytes[] calldata signatures)
        external
        nonReentrant
    {
        _verifyQuorum(_hashTypedDataV4(Attestations.hash(confirmation)), signatures);
        _confirmWithdrawal(confirmation);
    }

    /// @inheritdoc IRegistryBridge
    function confirmWithdrawals(WithdrawalConfirmation[] calldata confirmations, bytes[] calldata signatures)
        external
        nonReentrant
    {
        if (confirmations.length == 0) revert RegistryBridgeEmptyBatch();
        _verifyQuorum(_hashTypedDataV4(Attestations.hashBatch(confirmations)), signatures);
        for (uint256 i = 0; i < confirmations.length; ++i) {
            _confirmWithdrawal(confirmations[i]);
        }
    }

    /// @inheritdoc IRegistryBridge
    function rejectWithdrawal(WithdrawalRejection calldata r, bytes[] calldata signatures) external nonReentrant {
        _verifyQuorum(_hashTypedDataV4(Attestations.hash(r)), signatures);
        uint256 tag = _tagOf(RequestKind.Withdrawal, r.holder, r.batchId, r.amount, r.registryAccount);
        _closeRequest(r.requestId, RequestKind.Withdrawal, tag, RequestStatus.Rejected, 0);
        _token.bridgeTransfer(address(this), r.holder, r.batchId, r.amount);
        emit WithdrawalRejected(r.requestId, r.holder, r.batchId, r.amount, r.reasonHash);
    }

    /// @inheritdoc IRegistryBridge
    function attestReserve(ReserveAttestation calldata reserve, bytes[] calldata signatures) external nonReentrant {
        _verifyQuorum(_hashTypedDataV4(Attestations.hash(reserve)), signatures);
        Reserve storage last = _reserves[reserve.batchId];
        uint64 lastAsOf = last.asOf;
        if (reserve.asOf <= lastAsOf) revert RegistryBridgeStaleReserve(reserve.batchId, reserve.asOf, lastAsOf);
        ICreditToken.BatchState memory batch = _token.batchState(reserve.batchId);
        if (batch.registryId == 0) revert RegistryBridgeUnknownBatch(reserve.batchId);
        (last.units, last.asOf) = (SafeCast.toUint192(reserve.units), reserve.asOf);
        emit ReserveAttested(reserve.batchId, reserve.units, batch.supply, reserve.asOf);
        if (reserve.units < batch.supply) {
            emit ReserveShortfall(reserve.batchId, reserve.units, batch.supply);
            if (!batch.frozen) _token.freezeBatch(reserve.batchId, RESERVE_SHORTFALL_REASON);
        }
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @inheritdoc IRegistryBridge
    function verifyQuorum(bytes32 digest, bytes[] calldata signatures) external view {
        _verifyQuorum(digest, signatures);
    }

    /// @inheritdoc IRegistryBridge
    function isRegistryPaused(uint8 registryId) external view returns (bool) {
        return _isRegistryPaused(registryId);
    }

    /// @inheritdoc IRegistryBridge
    function oracles() external view returns (address[] memory) {
        return _oracles;
    }

    /// @inheritdoc IRegistryBridge
    function threshold() external view returns (uint8) {
        return _oracleConfig.threshold;
    }

    /// @inheritdoc IRegistryBridge
    function oracleEpoch() external view returns (uint32) {
        return _oracleConfig.epoch;
    }

    /// @inheritdoc IRegistryBridge
    function isOracle(address account) external view returns (bool) {
        return account != address(0) && _oracleEpochOf[account] == _oracleConfig.epoch;
    }

    /// @inheritdoc IRegistryBridge
    function requestOf(bytes32 requestId) external view returns (Request memory request) {
        uint256 word = _requests[requestId];
        request.kind = _kindOf(word);
        request.status = _statusOf(word);
        request.overdueFlagged = word & _OVERDUE_BIT != 0;
        request.paramsTag = bytes16(uint128(word >> _TAG_SHIFT));
        uint256 payload = (word >> _PAYLOAD_SHIFT) & _PAYLOAD_MASK;
        if (request.status == RequestStatus.Pending) request.deadline = uint40(payload);
        if (request.status == RequestStatus.Confirmed) request.certificate = bytes15(uint120(payload));
    }

    /// @inheritdoc IRegistryBridge
    function certificateOf(bytes32 requestId, bytes32 registryRefHash, bytes32 serialRangeHash)
        external
        view
        returns (bool)
    {
        uint256 word = _requests[requestId];
        return _statusOf(word) == RequestStatus.Confirmed
            && (word >> _PAYLOAD_SHIFT) & _PAYLOAD_MASK == _certificateOf(registryRefHash, serialRangeHash);
    }

    /// @inheritdoc IRegistryBridge
    function isRequestRejected(bytes32 requestId) external view returns (bool) {
        return _statusOf(_requests[requestId]) == RequestStatus.Rejected;
    }

    /// @inheritdoc IRegistryBridge
    function isDepositUsed(bytes32 depositId) external view returns (bool) {
        return _depositUsed[depositId];
    }

    /// @inheritdoc IRegistryBridge
    function isBlockDeposited(uint256 batchId, uint64 blockStart, uint64 blockEnd) external view returns (bool) {
        return _deposited[batchId].contains(blockStart, blockEnd);
    }

    /// @inheritdoc IRegistryBridge
    function depositHintOf(uint256 batchId, uint64 blockStart) external view returns (uint64) {
        return _deposited[batchId].hintOf(blockStart);
    }

    /// @inheritdoc IRegistryBridge
    function depositedBlocksOf(uint256 batchId) external view returns (uint64[] memory starts, uint64[] memory ends) {
        return _deposited[batchId].list();
    }

    /// @inheritdoc IRegistryBridge
    function reserveOf(uint256 batchId) external view returns (uint256 units, uint64 asOf) {
        Reserve memory r = _reserves[batchId];
        return (r.units, r.asOf);
    }

    /// @inheritdoc IRegistryBridge
    function requestWindow() external view returns (uint40) {
        return _window;
    }

    /// @notice The credit token (immutable).
    function token() external view returns (ICreditToken) {
        return _token;
    }

    /// @notice The EIP-712 domain separator of this bridge's attestations.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IRegistryBridge
    function requestIdOf(address holder, bytes32 idempotencyKey) external pure returns (bytes32) {
        return _requestIdOf(holder, idempotencyKey);
    }

    /// @inheritdoc IRegistryBridge
    function blockKeyOf(uint256 batchId, uint64 blockStart, uint64 blockEnd) external pure returns (bytes32) {
        return _blockKeyOf(batchId, blockStart, blockEnd);
    }

    /// @inheritdoc IRegistryBridge
    function detailsHashOf(RetirementDetails calldata details) external pure returns (bytes32) {
        return _detailsHashOf(details);
    }

    // ------------------------------------------------------------------------------------------------ internals

    function _requestRetirement(
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        RetirementDetails calldata details,
        bool onBehalf
    ) private returns (bytes32 requestId) {
        uint40 deadline;
        (requestId, deadline) = _openRequest(
            RequestKind.Retirement, holder, batchId, amount, idempotencyKey, _detailsHashOf(details), onBehalf
        );
        if (deadline != 0) {
            emit RetirementRequested(requestId, holder, batchId, amount, idempotencyKey, deadline, details);
        }
    }

    function _requestWithdrawal(
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        bytes32 registryAccount,
        bool onBehalf
    ) private returns (bytes32 requestId) {
        uint40 deadline;
        (requestId, deadline) =
            _openRequest(RequestKind.Withdrawal, holder, batchId, amount, idempotencyKey, registryAccount, onBehalf);
        if (deadline != 0) {
            emit WithdrawalRequested(requestId, holder, batchId, amount, idempotencyKey, deadline, registryAccount);
        }
    }

    /// @dev Checks the registry pause first, for repeats too (looking the batch's registry up only while some
    /// registry is paused: the common path reads one bitmap), stores the request, then locks the units. A repeated
    /// key with identical parameters returns deadline 0 and changes nothing: the state is the one the first call
    /// produced. On behalf of a holder (`onBehalf`, the REQUESTER_ROLE entry points) a repeat is refused instead:
    /// the caller has just moved the units to the holder (a fill) and relies on this call to lock them.
    function _openRequest(
        RequestKind kind,
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        bytes32 extra,
        bool onBehalf
    ) private returns (bytes32 requestId, uint40 deadline) {
        if (amount == 0) revert RegistryBridgeZeroAmount();
        if (holder == address(this) || holder == address(0)) revert RegistryBridgeInvalidHolder(holder);
        _checkRegistryOpen(batchId);
        requestId = _requestIdOf(holder, idempotencyKey);
        uint256 tag = _tagOf(kind, holder, batchId, amount, extra);
        uint256 word = _requests[requestId];
        if (word != 0) {
            if (word >> _TAG_SHIFT != tag) revert RegistryBridgeIdempotencyConflict(requestId);
            if (onBehalf) revert RegistryBridgeIdempotencyKeyUsed(requestId);
            return (requestId, 0);
        }
        deadline = uint40(block.timestamp) + _window;
        _requests[requestId] = (tag << _TAG_SHIFT) | (uint256(deadline) << _PAYLOAD_SHIFT)
            | (uint256(kind) << _KIND_SHIFT) | uint256(RequestStatus.Pending);
        _token.bridgeTransfer(holder, address(this), batchId, amount);
    }

    /// @dev Reverts while the batch's registry is paused; looks the registry up only while some registry is paused.
    function _checkRegistryOpen(uint256 batchId) private view {
        if (_pausedRegistries == 0) return;
        uint8 registryId = _token.batchRegistry(batchId);
        if (_isRegistryPaused(registryId)) revert RegistryBridgeRegistryPaused(registryId);
    }

    /// @dev Moves a pending request of `kind` whose stored tag equals `tag` to `status` with `payload`, keeping the
    /// tag (so a later repeat of the key is still recognised) and the overdue flag.
    function _closeRequest(bytes32 requestId, RequestKind kind, uint256 tag, RequestStatus status, uint256 payload)
        private
    {
        uint256 word = _requests[requestId];
        if (word & _STATUS_MASK != uint256(RequestStatus.Pending) || _kindOf(word) != kind) {
            revert RegistryBridgeRequestNotPending(requestId, _kindOf(word), _statusOf(word));
        }
        if (word >> _TAG_SHIFT != tag) revert RegistryBridgeRequestMismatch(requestId);
        _requests[requestId] = (tag << _TAG_SHIFT) | (payload << _PAYLOAD_SHIFT) | (word & _OVERDUE_BIT)
            | (uint256(kind) << _KIND_SHIFT) | uint256(status);
    }

    function _confirmRetirement(RetirementConfirmation calldata c) private {
        uint256 tag = _tagOf(RequestKind.Retirement, c.holder, c.batchId, c.amount, c.detailsHash);
        uint256 certificate = _certificateOf(c.retirementIdHash, c.serialRangeHash);
        _closeRequest(c.requestId, RequestKind.Retirement, tag, RequestStatus.Confirmed, certificate);
        _token.burn(c.batchId, c.amount);
        emit RetirementConfirmed(c.requestId, c.holder, c.batchId, c.amount, c.retirementIdHash, c.serialRangeHash);
    }

    function _confirmWithdrawal(WithdrawalConfirmation calldata c) private {
        uint256 tag = _tagOf(RequestKind.Withdrawal, c.holder, c.batchId, c.amount, c.registryAccount);
        uint256 certificate = _certificateOf(c.registryTxHash, c.serialRangeHash);
        _closeRequest(c.requestId, RequestKind.Withdrawal, tag, RequestStatus.Confirmed, certificate);
        // The withdrawn block is bound to the request: it holds the request's amount, and only a block of the
        // request's batch (whose list is keyed by the tag-checked batch id) can be released.
        (uint64 start, uint64 end) = (c.blockStart, c.blockEnd);
        if (end < start || uint256(end - start) + 1 != c.amount) {
            revert RegistryBridgeWithdrawalRangeMismatch(c.requestId, start, end, c.amount);
        }
        if (_deposited[c.batchId].remove(start, end)) {
            emit BlockKeyReleased(_blockKeyOf(c.batchId, start, end), c.requestId);
        }
        _token.burn(c.batchId, c.amount);
        emit WithdrawalConfirmed(c.requestId, c.holder, c.batchId, c.amount, c.registryTxHash, c.serialRangeHash);
    }

    /// @dev Effects (deposit id taken, block linked into the batch's ranges) before the mint, whose receiver hook
    /// may call back in.
    function _confirmDeposit(DepositConfirmation calldata d, uint64 hint) private returns (uint256 batchId) {
        if (d.registryId == 0) revert RegistryBridgeInvalidRegistry(d.registryId);
        if (d.blockEnd < d.blockStart) revert RegistryBridgeInvalidBlock(d.blockStart, d.blockEnd);
        if (_depositUsed[d.depositId]) revert RegistryBridgeDepositAlreadyUsed(d.depositId);
        batchId = uint256(keccak256(abi.encode(d.registryId, d.serialPrefix)));
        (bool added, uint64 overlapStart, uint64 overlapEnd) = _deposited[batchId].insert(d.blockStart, d.blockEnd, hint);
        if (!added) revert RegistryBridgeBlockOverlaps(batchId, d.blockStart, d.blockEnd, overlapStart, overlapEnd);
        _depositUsed[d.depositId] = true;
        if (_token.batchRegistry(batchId) == 0) {
            _token.registerBatch(d.registryId, d.serialPrefix, d.projectId, d.vintage, d.unitType);
        }
        emit DepositConfirmed(
            d.depositId, d.holder, batchId, _blockKeyOf(batchId, d.blockStart, d.blockEnd), d.blockStart, d.blockEnd
        );
        // blockEnd >= blockStart, so the count is at least 1 and at most 2^64
        _token.mint(d.holder, batchId, uint256(d.blockEnd - d.blockStart) + 1);
    }

    /// @dev Signatures sorted by strictly ascending signer: distinct signers without a seen-set. Each signer must be
    /// in the current epoch's set. All given signatures must be valid; at least `threshold` are required.
    function _verifyQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        OracleConfig memory config = _oracleConfig;
        uint256 count = signatures.length;
        if (count < config.threshold) revert RegistryBridgeQuorumNotMet(count, config.threshold);
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert RegistryBridgeInvalidSignature(i);
            if (signer <= previous) {
                if (signer == previous) revert RegistryBridgeDuplicateSigner(signer);
                revert RegistryBridgeSignersNotAscending(previous, signer);
            }
            if (_oracleEpochOf[signer] != config.epoch) revert RegistryBridgeSignerNotOracle(signer);
            previous = signer;
        }
    }

    function _setOracles(address[] memory oracles_, uint8 threshold_) private {
        uint256 size = oracles_.length;
        if (threshold_ < 2 || threshold_ > size || size > type(uint8).max) {
            revert RegistryBridgeInvalidOracleSet(size, threshold_);
        }
        uint32 epoch = _oracleConfig.epoch + 1;
        for (uint256 i = 0; i < size; ++i) {
            address oracle = oracles_[i];
            if (oracle == address(0) || _oracleEpochOf[oracle] == epoch) revert RegistryBridgeInvalidOracle(oracle);
            _oracleEpochOf[oracle] = epoch;
        }
        _oracles = oracles_;
        _oracleConfig = OracleConfig(threshold_, epoch);
        emit OracleSetUpdated(epoch, oracles_, threshold_);
    }

    function _setRegistryPaused(uint8 registryId, bool paused_) private {
        if (registryId == 0) revert RegistryBridgeInvalidRegistry(registryId);
        if (_isRegistryPaused(registryId) == paused_) revert RegistryBridgeRegistryPauseUnchanged(registryId, paused_);
        _pausedRegistries ^= 1 << registryId;
    }

    function _isRegistryPaused(uint8 registryId) private view returns (bool) {
        return (_pausedRegistries >> registryId) & 1 == 1;
    }

    function _kindOf(uint256 word) private pure returns (RequestKind) {
        return RequestKind((word >> _KIND_SHIFT) & 0x3);
    }

    function _statusOf(uint256 word) private pure returns (RequestStatus) {
        return RequestStatus(word & _STATUS_MASK);
    }

    function _tagOf(RequestKind kind, address holder, uint256 batchId, uint256 amount, bytes32 extra)
        private
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(kind, holder, batchId, amount, extra))) >> _TAG_SHIFT;
    }

    function _certificateOf(bytes32 registryRefHash, bytes32 serialRangeHash) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(registryRefHash, serialRangeHash))) >> 136;
    }

    function _blockKeyOf(uint256 batchId, uint64 blockStart, uint64 blockEnd) private pure returns (bytes32) {
        return keccak256(abi.encode(batchId, blockStart, blockEnd));
    }

    function _requestIdOf(address holder, bytes32 idempotencyKey) private pure returns (bytes32) {
        return keccak256(abi.encode(holder, idempotencyKey));
    }

    function _detailsHashOf(RetirementDetails calldata details) private pure returns (bytes32) {
        return keccak256(abi.encode(details.beneficiary, details.reason));
    }
}
