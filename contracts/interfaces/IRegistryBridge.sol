// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/// @title IRegistryBridge
/// @notice The only door between the carbon registries and the chain (ARCHITECTURE.md §3.2, §3.3): deposits
/// (mint), two-phase retirement and withdrawal (lock, then burn or return on a registry answer), reserve
/// attestations and a per-registry pause. Every registry fact it acts on carries an EIP-712 attestation signed by M
/// of N oracle keys; `verifyQuorum` lets Settlement check its own digests against the same oracle set.
///
/// Attestation type strings (EIP-712 primary types, mirrored field for field by `backend/src/chain/attestations.ts`):
/// `DepositConfirmed`, `RetirementConfirmed`, `RetirementRejected`, `WithdrawalConfirmed`, `WithdrawalRejected`,
/// `ReserveAttested`, and the batched `DepositConfirmedBatch`, `RetirementConfirmedBatch`,
/// `WithdrawalConfirmedBatch` (an array of the single kind). The Solidity structs below carry the same fields.
interface IRegistryBridge {
    /// @notice Retirement fields the backend copies into the registry's retirement (emitted, not stored).
    struct RetirementDetails {
        string beneficiary;
        string reason;
    }

    enum RequestKind {
        None,
        Retirement,
        Withdrawal
    }

    enum RequestStatus {
        None,
        Pending,
        Confirmed,
        Rejected
    }

    /// @notice A request as stored (one slot): see {requestOf}.
    /// @param paramsTag First 16 bytes of `keccak256(abi.encode(kind, holder, batchId, amount, extra))`, where
    /// `extra` is the details hash (retirement) or the registry account (withdrawal). Binds a repeated idempotency key
    /// and every answer to the exact parameters of the request.
    /// @param deadline Time after which {flagOverdue} may flag the request (0 once closed).
    /// @param certificate Once confirmed: first 15 bytes of `keccak256(abi.encode(registryRefHash, serialRangeHash))`
    /// (see {certificateOf}).
    struct Request {
        RequestKind kind;
        RequestStatus status;
        bool overdueFlagged;
        uint40 deadline;
        bytes16 paramsTag;
        bytes15 certificate;
    }

    /// @notice Oracles attest that serial block `[blockStart, blockEnd]` of batch
    /// `(registryId, serialPrefix)` sits in the platform's custody account for `holder`.
    /// Amount minted = `blockEnd - blockStart + 1`.
    struct DepositConfirmation {
        bytes32 depositId;
        address holder;
        uint8 registryId;
        string serialPrefix;
        bytes32 projectId;
        uint16 vintage;
        uint8 unitType;
        uint64 blockStart;
        uint64 blockEnd;
    }

    /// @notice Oracles attest that the registry retired the units of request `requestId`.
    struct RetirementConfirmation {
        bytes32 requestId;
        address holder;
        uint256 batchId;
        uint256 amount;
        bytes32 detailsHash;
        bytes32 retirementIdHash;
        bytes32 serialRangeHash;
    }

    /// @notice Oracles attest that the registry refused the retirement of request `requestId`.
    struct RetirementRejection {
        bytes32 requestId;
        address holder;
        uint256 batchId;
        uint256 amount;
        bytes32 detailsHash;
        bytes32 reasonHash;
    }

    /// @notice Oracles attest that the registry moved the units of request `requestId` to `registryAccount`.
    /// `[blockStart, blockEnd]` is the unit range of the block that left custody; it must hold exactly `amount`
    /// units. When it is exactly a deposited block of the request's batch, that block is released (it may be
    /// deposited again); a part of a deposited block releases nothing.
    struct WithdrawalConfirmation {
        bytes32 requestId;
        address holder;
        uint256 batchId;
        uint256 amount;
        bytes32 registryAccount;
        bytes32 registryTxHash;
        bytes32 serialRangeHash;
        uint64 blockStart;
        uint64 blockEnd;
    }

    /// @notice Oracles attest that the registry refused the withdrawal of request `requestId`.
    struct WithdrawalRejection {
        bytes32 requestId;
        address holder;
        uint256 batchId;
        uint256 amount;
        bytes32 registryAccount;
        bytes32 reasonHash;
    }

    /// @notice Oracles attest that the registry held `units` of `batchId` in custody at `asOf`.
    struct ReserveAttestation {
        uint256 batchId;
        uint256 units;
        uint64 asOf;
    }

    // ---------------------------------------------------------------- errors

    /// @notice New requests for batches of `registryId` are paused.
    error RegistryBridgeRegistryPaused(uint8 registryId);
    /// @notice The pause flag of `registryId` is already `paused`.
    error RegistryBridgeRegistryPauseUnchanged(uint8 registryId, bool paused);
    /// @notice Registry id 0 is invalid.
    error RegistryBridgeInvalidRegistry(uint8 registryId);
    /// @notice A request must move at least one unit.
    error RegistryBridgeZeroAmount();
    /// @notice `holder` cannot open a request (the zero address or the bridge itself, whose balance backs other
    /// requests).
    error RegistryBridgeInvalidHolder(address holder);
    /// @notice `requestId` exists with different parameters (same holder and idempotency key).
    error RegistryBridgeIdempotencyConflict(bytes32 requestId);
    /// @notice A request on a holder's behalf (REQUESTER_ROLE) reused the key of existing request `requestId`. The
    /// caller moved units to the holder expecting this call to lock them, so a repeat is refused, not a no-op.
    error RegistryBridgeIdempotencyKeyUsed(bytes32 requestId);
    /// @notice `requestId` is not a pending request of `kind` (its stored kind and status follow).
    error RegistryBridgeRequestNotPending(bytes32 requestId, RequestKind kind, RequestStatus status);
    /// @notice The attestation's request parameters do not match those stored for `requestId`.
    error RegistryBridgeRequestMismatch(bytes32 requestId);
    /// @notice `requestId` is not past its `deadline`.
    error RegistryBridgeRequestNotOverdue(bytes32 requestId, uint40 deadline);
    /// @notice `requestId` was already flagged overdue.
    error RegistryBridgeRequestAlreadyFlagged(bytes32 requestId);
    /// @notice Deposit attestation `depositId` was already used.
    error RegistryBridgeDepositAlreadyUsed(bytes32 depositId);
    /// @notice Serial block `[blockStart, blockEnd]` of `batchId` overlaps the deposited block
    /// `[depositedStart, depositedEnd]` (not withdrawn in full).
    error RegistryBridgeBlockOverlaps(
        uint256 batchId, uint64 blockStart, uint64 blockEnd, uint64 depositedStart, uint64 depositedEnd
    );
    /// @notice The withdrawn block `[blockStart, blockEnd]` does not hold the `amount` units of request `requestId`.
    error RegistryBridgeWithdrawalRangeMismatch(bytes32 requestId, uint64 blockStart, uint64 blockEnd, uint256 amount);
    /// @notice A batched deposit confirmation carried `hints` hints for `items` deposits (one each is needed).
    error RegistryBridgeHintCount(uint256 items, uint256 hints);
    /// @notice `[blockStart, blockEnd]` is not a valid inclusive range.
    error RegistryBridgeInvalidBlock(uint64 blockStart, uint64 blockEnd);
    /// @notice A reserve attestation for `batchId` at `asOf` is not newer than the last one (`lastAsOf`).
    error RegistryBridgeStaleReserve(uint256 batchId, uint64 asOf, uint64 lastAsOf);
    /// @notice Batch `batchId` is not registered on the token.
    error RegistryBridgeUnknownBatch(uint256 batchId);
    /// @notice A batched call carried no items.
    error RegistryBridgeEmptyBatch();
    /// @notice Signature `index` is malformed or does not recover.
    error RegistryBridgeInvalidSignature(uint256 index);
    /// @notice `signer` is not in the current oracle set.
    error RegistryBridgeSignerNotOracle(address signer);
    /// @notice `signer` signed twice.
    error RegistryBridgeDuplicateSigner(address signer);
    /// @notice Signatures must be sorted by ascending signer address; `signer` follows `previous`.
    error RegistryBridgeSignersNotAscending(address previous, address signer);
    /// @notice `signatures` valid signatures given, `threshold` needed.
    error RegistryBridgeQuorumNotMet(uint256 signatures, uint256 threshold);
    /// @notice An oracle set of `size` keys with `threshold` is invalid (2 <= threshold <= size <= 255).
    error RegistryBridgeInvalidOracleSet(uint256 size, uint256 threshold);
    /// @notice `oracle` is zero or listed twice.
    error RegistryBridgeInvalidOracle(address oracle);
    /// @notice The token address is zero.
    error RegistryBridgeZeroAddress();

    // ---------------------------------------------------------------- events

    /// @notice The oracle set became `oracles` with `threshold`, from `epoch` on (signatures are checked against the
    /// set of the epoch current at the block).
    event OracleSetUpdated(uint32 indexed epoch, address[] oracles, uint8 threshold);
    /// @notice New requests for batches of `registryId` are paused by `guardian`.
    event RegistryPaused(uint8 indexed registryId, address indexed guardian);
    /// @notice New requests for batches of `registryId` are allowed again.
    event RegistryUnpaused(uint8 indexed registryId, address indexed guardian);
    /// @notice Deposit `depositId` minted `amount` of `batchId` to `holder` for serial block `blockKey`.
    event DepositConfirmed(
        bytes32 indexed depositId,
        address indexed holder,
        uint256 indexed batchId,
        bytes32 blockKey,
        uint64 blockStart,
        uint64 blockEnd
    );
    /// @notice `holder` locked `amount` of `batchId` in the bridge for retirement under `requestId`.
    event RetirementRequested(
        bytes32 indexed requestId,
        address indexed holder,
        uint256 indexed batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        uint40 deadline,
        RetirementDetails details
    );
    /// @notice `holder` locked `amount` of `batchId` in the bridge for withdrawal to `registryAccount`.
    event WithdrawalRequested(
        bytes32 indexed requestId,
        address indexed holder,
        uint256 indexed batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        uint40 deadline,
        bytes32 registryAccount
    );
    /// @notice The registry retired request `requestId`; its units were burned. The certificate is the pair
    /// (`retirementIdHash`, `serialRangeHash`).
    event RetirementConfirmed(
        bytes32 indexed requestId,
        address indexed holder,
        uint256 indexed batchId,
        uint256 amount,
        bytes32 retirementIdHash,
        bytes32 serialRangeHash
    );
    /// @notice The registry refused request `requestId`; its units went back to `holder`.
    event RetirementRejected(
        bytes32 indexed requestId,
        address indexed holder,
        uint256 indexed batchId,
        uint256 amount,
        bytes32 reasonHash
    );
    /// @notice The registry moved request `requestId` to the holder's registry account; its units were burned.
    event WithdrawalConfirmed(
        bytes32 indexed requestId,
        address indexed holder,
        uint256 indexed batchId,
        uint256 amount,
        bytes32 registryTxHash,
        bytes32 serialRangeHash
    );
    /// @notice The registry refused withdrawal `requestId`; its units went back to `holder`.
    event WithdrawalRejected(
        bytes32 indexed requestId,
        address indexed holder,
        uint256 indexed batchId,
        uint256 amount,
        bytes32 reasonHash
    );
    /// @notice Deposited serial block `blockKey` (`blockKeyOf(batchId, blockStart, blockEnd)`) left custody in full
    /// with withdrawal `requestId`; it may be deposited again.
    event BlockKeyReleased(bytes32 indexed blockKey, bytes32 indexed requestId);
    /// @notice Request `requestId` passed its `deadline` without a registry answer. Nothing moved.
    event RequestOverdue(bytes32 indexed requestId, uint40 deadline, address indexed flaggedBy);
    /// @notice The registry held `units` of `batchId` at `asOf`, against a token supply of `supply`.
    event ReserveAttested(uint256 indexed batchId, uint256 units, uint256 supply, uint64 asOf);
    /// @notice `units` held at the registry fall short of `supply`; the batch was frozen.
    event ReserveShortfall(uint256 indexed batchId, uint256 units, uint256 supply);

    // ---------------------------------------------------------------- admin

    /// @notice Replaces the oracle set and threshold and starts a new epoch.
    /// @dev Requirements:
    /// - caller has `DEFAULT_ADMIN_ROLE`;
    /// - `2 <= threshold <= oracles.length <= 255`; no zero or repeated address.
    ///
    /// Emits {OracleSetUpdated}.
    function setOracles(address[] calldata oracles, uint8 threshold) external;

    /// @notice Pauses new retirement and withdrawal requests for batches of `registryId`. Answers to requests in
    /// flight continue.
    /// @dev Requirements: caller has `GUARDIAN_ROLE`; `registryId != 0`; not paused.
    ///
    /// Emits {RegistryPaused}.
    function pauseRegistry(uint8 registryId) external;

    /// @notice Allows new requests for batches of `registryId` again.
    /// @dev Requirements: caller has `GUARDIAN_ROLE`; paused.
    ///
    /// Emits {RegistryUnpaused}.
    function unpauseRegistry(uint8 registryId) external;

    // ---------------------------------------------------------------- requests

    /// @notice Locks `amount` of `batchId` from the caller for retirement. Request id:
    /// `keccak256(abi.encode(msg.sender, idempotencyKey))`. A repeated key with the same parameters returns the
    /// existing id and does nothing (the state stays what the first call produced).
    /// @dev Requirements:
    /// - `amount > 0`; the batch's registry not paused (checked for a repeated key too); no request with this key
    ///   and other parameters;
    /// - every token check (not paused, batch not frozen, caller and bridge eligible, balance).
    ///
    /// Emits {RetirementRequested} and {IERC1155-TransferSingle}.
    function requestRetirement(
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        RetirementDetails calldata details
    ) external returns (bytes32 requestId);

    /// @notice {requestRetirement} on behalf of `holder` (Settlement, on a holder's signed intent).
    /// @dev Requirements: caller has `REQUESTER_ROLE`; `holder` is not zero nor the bridge; as {requestRetirement}
    /// for `holder`, except that the key must be fresh: a repeated key reverts with
    /// {RegistryBridgeIdempotencyKeyUsed} (the caller has moved units to the holder and relies on the lock).
    ///
    /// Emits {RetirementRequested} and {IERC1155-TransferSingle}.
    function requestRetirementFor(
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        RetirementDetails calldata details
    ) external returns (bytes32 requestId);

    /// @notice Locks `amount` of `batchId` from the caller for withdrawal to `registryAccount`.
    /// @dev Requirements: as {requestRetirement}.
    ///
    /// Emits {WithdrawalRequested} and {IERC1155-TransferSingle}.
    function requestWithdrawal(uint256 batchId, uint256 amount, bytes32 idempotencyKey, bytes32 registryAccount)
        external
        returns (bytes32 requestId);

    /// @notice {requestWithdrawal} on behalf of `holder`.
    /// @dev Requirements: caller has `REQUESTER_ROLE`; `holder` is not zero nor the bridge; as {requestWithdrawal}
    /// for `holder`, with a fresh key ({RegistryBridgeIdempotencyKeyUsed} otherwise).
    ///
    /// Emits {WithdrawalRequested} and {IERC1155-TransferSingle}.
    function requestWithdrawalFor(
        address holder,
        uint256 batchId,
        uint256 amount,
        bytes32 idempotencyKey,
        bytes32 registryAccount
    ) external returns (bytes32 requestId);

    /// @notice Flags a pending request past its deadline. Records the flag and emits; NEVER releases units (a late
    /// registry confirmation would turn released units into ghost credits).
    /// @dev Requirements: the request is pending, past its deadline and not flagged yet.
    ///
    /// Emits {RequestOverdue}.
    function flagOverdue(bytes32 requestId) external;

    // ---------------------------------------------------------------- attested answers

    /// @notice Mints a deposited serial block to its holder, registering the batch on first sight. The block must
    /// not overlap any deposited block of the batch (the chain's own check: the batch's blocks are a sorted linked
    /// list, so the new block is compared with its two neighbours only).
    /// @param hint Not signed, gas only: the start of the deposited block of the batch nearest below the new one
    /// (see {depositHintOf}) makes the check O(1); any lower deposited start walks forward from there; anything
    /// else (0 when unknown) walks from the batch's lowest block. The outcome never depends on it.
    /// @dev Requirements:
    /// - quorum over the `DepositConfirmed` digest; `depositId` unused; no overlap with a deposited block;
    /// - `registryId != 0`; `blockStart <= blockEnd`; token checks (batch not frozen, holder eligible).
    ///
    /// Emits {DepositConfirmed}, {IERC1155-TransferSingle} and, for a new batch, {ICreditToken-BatchRegistered}.
    function confirmDeposit(DepositConfirmation calldata deposit, bytes[] calldata signatures, uint64 hint)
        external
        returns (uint256 batchId);

    /// @notice {confirmDeposit} for many deposits under one quorum over `DepositConfirmedBatch`, with one hint per
    /// deposit (a later item's nearest block below may be an earlier item of the same call).
    /// @dev Requirements: as {confirmDeposit} for each item; at least one item; `hints.length == deposits.length`.
    ///
    /// Emits as {confirmDeposit} per item.
    function confirmDeposits(
        DepositConfirmation[] calldata deposits,
        bytes[] calldata signatures,
        uint64[] calldata hints
    ) external;

    /// @notice Burns the units of a pending retirement and records its certificate.
    /// @dev Requirements: quorum over `RetirementConfirmed`; the request is a pending retirement with these
    /// parameters.
    ///
    /// Emits {RetirementConfirmed} and {IERC1155-TransferSingle}.
    function confirmRetirement(RetirementConfirmation calldata confirmation, bytes[] calldata signatures) external;

    /// @notice {confirmRetirement} for many requests under one quorum over `RetirementConfirmedBatch`.
    /// @dev Requirements: as {confirmRetirement} for each item; at least one item.
    ///
    /// Emits as {confirmRetirement} per item.
    function confirmRetirements(RetirementConfirmation[] calldata confirmations, bytes[] calldata signatures)
        external;

    /// @notice Returns the units of a refused retirement to its holder.
    /// @dev Requirements: quorum over `RetirementRejected`; the request is a pending retirement with these
    /// parameters; the token allows the return (batch not frozen, holder eligible), else resubmit later.
    ///
    /// Emits {RetirementRejected} and {IERC1155-TransferSingle}.
    function rejectRetirement(RetirementRejection calldata rejection, bytes[] calldata signatures) external;

    /// @notice Burns the units of a pending withdrawal; releases the withdrawn block when it is exactly a deposited
    /// block of the request's batch.
    /// @dev Requirements: quorum over `WithdrawalConfirmed`; the request is a pending withdrawal with these
    /// parameters; `[blockStart, blockEnd]` holds exactly `amount` units.
    ///
    /// Emits {WithdrawalConfirmed}, {IERC1155-TransferSingle} and, with a key, {BlockKeyReleased}.
    function confirmWithdrawal(WithdrawalConfirmation calldata confirmation, bytes[] calldata signatures) external;

    /// @notice {confirmWithdrawal} for many requests under one quorum over `WithdrawalConfirmedBatch`.
    /// @dev Requirements: as {confirmWithdrawal} for each item; at least one item.
    ///
    /// Emits as {confirmWithdrawal} per item.
    function confirmWithdrawals(WithdrawalConfirmation[] calldata confirmations, bytes[] calldata signatures)
        external;

    /// @notice Returns the units of a refused withdrawal to its holder.
    /// @dev Requirements: as {rejectRetirement}, over `WithdrawalRejected`.
    ///
    /// Emits {WithdrawalRejected} and {IERC1155-TransferSingle}.
    function rejectWithdrawal(WithdrawalRejection calldata rejection, bytes[] calldata signatures) external;

    /// @notice Records registry-held units of a batch; freezes the batch when they fall short of the supply.
    /// @dev Requirements: quorum over `ReserveAttested`; batch registered; `asOf` newer than the last attestation.
    ///
    /// Emits {ReserveAttested} and, on a shortfall, {ReserveShortfall} (and {ICreditToken-BatchFrozen} unless
    /// already frozen).
    function attestReserve(ReserveAttestation calldata reserve, bytes[] calldata signatures) external;

    // ---------------------------------------------------------------- views

    /// @notice Reverts unless `signatures` (sorted by ascending signer) carry a quorum of the current oracle set
    /// over `digest`. For Settlement, which computes digests in its own EIP-712 domain.
    /// @dev Reverts with {RegistryBridgeInvalidSignature}, {RegistryBridgeSignerNotOracle},
    /// {RegistryBridgeDuplicateSigner}, {RegistryBridgeSignersNotAscending} or {RegistryBridgeQuorumNotMet}.
    function verifyQuorum(bytes32 digest, bytes[] calldata signatures) external view;

    /// @notice Whether new requests for batches of `registryId` are paused.
    function isRegistryPaused(uint8 registryId) external view returns (bool);

    /// @notice The current oracle set.
    function oracles() external view returns (address[] memory);

    /// @notice Signatures needed.
    function threshold() external view returns (uint8);

    /// @notice The epoch of the current oracle set (1 for the constructor's set).
    function oracleEpoch() external view returns (uint32);

    /// @notice Whether `account` is in the current oracle set.
    function isOracle(address account) external view returns (bool);

    /// @notice The stored request `requestId`.
    function requestOf(bytes32 requestId) external view returns (Request memory);

    /// @notice Whether the confirmed request `requestId` carries the certificate (`registryRefHash`,
    /// `serialRangeHash`) (retirement id hash or registry transaction hash, and the serial range hash).
    function certificateOf(bytes32 requestId, bytes32 registryRefHash, bytes32 serialRangeHash)
        external
        view
        returns (bool);

    /// @notice Whether `requestId` was rejected by the registry (its units went back to the holder).
    function isRequestRejected(bytes32 requestId) external view returns (bool);

    /// @notice Whether deposit attestation `depositId` was used.
    function isDepositUsed(bytes32 depositId) external view returns (bool);

    /// @notice Whether `[blockStart, blockEnd]` is exactly a deposited block of `batchId`.
    function isBlockDeposited(uint256 batchId, uint64 blockStart, uint64 blockEnd) external view returns (bool);

    /// @notice The exact {confirmDeposit} hint for a block of `batchId` starting at `blockStart`: the start of the
    /// deposited block nearest below it, or 0 when there is none. Walks the batch's blocks (O(n) reads): for
    /// off-chain callers.
    function depositHintOf(uint256 batchId, uint64 blockStart) external view returns (uint64);

    /// @notice Every deposited block of `batchId` (not withdrawn in full), ascending. O(n): for audits and tests.
    function depositedBlocksOf(uint256 batchId) external view returns (uint64[] memory starts, uint64[] memory ends);

    /// @notice The last reserve attested for `batchId`.
    function reserveOf(uint256 batchId) external view returns (uint256 units, uint64 asOf);

    /// @notice Seconds from a request to its deadline (immutable).
    function requestWindow() external view returns (uint40);

    /// @notice `keccak256(abi.encode(holder, idempotencyKey))`.
    function requestIdOf(address holder, bytes32 idempotencyKey) external pure returns (bytes32);

    /// @notice `keccak256(abi.encode(batchId, blockStart, blockEnd))`.
    function blockKeyOf(uint256 batchId, uint64 blockStart, uint64 blockEnd) external pure returns (bytes32);

    /// @notice `keccak256(abi.encode(details.beneficiary, details.reason))`, the `detailsHash` of retirement answers.
    function detailsHashOf(RetirementDetails calldata details) external pure returns (bytes32);
}
