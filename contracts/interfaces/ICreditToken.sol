// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title ICreditToken
/// @notice Permissioned ERC-1155 carbon credits, one token id per registry batch. Every movement (mint, burn,
/// transfer, escrow, lock, forced transfer, recovery) runs one `_update` that checks the pause, the batch freeze and
/// both parties' identities, and extends the batch's custody head (docs/contracts-design.md, "Custody head").
interface ICreditToken is IERC1155 {
    /// @notice What the token keeps per batch, packed into one storage slot (read once per transfer).
    /// @param supply Units minted and not burned.
    /// @param registryId Registry of the batch (1 VERRA, 2 GOLD_STANDARD, 3 IREC, 4 IN_CCTS); 0 = not registered.
    /// @param frozen No mint and no transfer; burns still go through.
    /// @param vintage Vintage year.
    /// @param unitType Registry unit type code (the backend's canonical model names them).
    struct BatchState {
        uint128 supply;
        uint8 registryId;
        bool frozen;
        uint16 vintage;
        uint8 unitType;
    }

    /// @notice The token is paused.
    error CreditTokenPaused();
    /// @notice The token is not paused.
    error CreditTokenNotPaused();
    /// @notice Batch `batchId` is frozen: no mint, no transfer.
    error CreditTokenBatchFrozen(uint256 batchId);
    /// @notice The frozen flag of batch `batchId` is already `frozen`.
    error CreditTokenBatchFrozenUnchanged(uint256 batchId, bool frozen);
    /// @notice Batch `batchId` was never registered.
    error CreditTokenBatchNotRegistered(uint256 batchId);
    /// @notice Batch `batchId` is already registered.
    error CreditTokenBatchAlreadyRegistered(uint256 batchId);
    /// @notice Registry id 0 is invalid.
    error CreditTokenInvalidRegistry(uint8 registryId);
    /// @notice `caller` is not the bridge.
    error CreditTokenUnauthorizedBridge(address caller);
    /// @notice `caller` is neither an agent nor the bridge.
    error CreditTokenUnauthorizedFreezer(address caller);
    /// @notice The bridge address was already set to `bridge`.
    error CreditTokenBridgeAlreadySet(address bridge);
    /// @notice The zero address is not allowed here.
    error CreditTokenZeroAddress();
    /// @notice Agents cannot move units into or out of the bridge: they belong to open requests.
    error CreditTokenBridgeProtected(address bridge);
    /// @notice Agents cannot move units into or out of a custody contract (Settlement escrow): they back open deals.
    error CreditTokenCustodianProtected(address custodian);
    /// @notice `account` already has custodian status `isProtected`.
    error CreditTokenCustodianUnchanged(address account, bool isProtected);
    /// @notice Supply of `batchId` would exceed 2^128 - 1.
    error CreditTokenSupplyOverflow(uint256 batchId);

    /// @notice The bridge (the only minter and burner) was set.
    event BridgeSet(address indexed bridge);
    /// @notice `account` was marked (or unmarked) as a custody contract agents cannot move units into or out of.
    event CustodianSet(address indexed account, bool isProtected);
    /// @notice Batch `batchId` was registered with its registry metadata.
    event BatchRegistered(
        uint256 indexed batchId,
        uint8 indexed registryId,
        bytes32 indexed projectId,
        uint16 vintage,
        uint8 unitType,
        string serialPrefix
    );
    /// @notice All movements stopped by `account`.
    event Paused(address account);
    /// @notice Movements resumed by `account`.
    event Unpaused(address account);
    /// @notice Batch `batchId` was frozen by `agent` for `reasonCode`.
    event BatchFrozen(uint256 indexed batchId, uint16 reasonCode, address indexed agent);
    /// @notice Batch `batchId` was unfrozen by `agent` for `reasonCode`.
    event BatchUnfrozen(uint256 indexed batchId, uint16 reasonCode, address indexed agent);
    /// @notice Wallet `wallet` was frozen (in the identity registry) by `agent` through the token.
    event WalletFrozen(address indexed wallet, uint16 reasonCode, address indexed agent);
    /// @notice Wallet `wallet` was unfrozen (in the identity registry) by `agent` through the token.
    event WalletUnfrozen(address indexed wallet, uint16 reasonCode, address indexed agent);
    /// @notice `agent` moved `amount` of `batchId` from `from` to `to` without the sender's consent.
    event ForcedTransfer(
        address indexed from,
        address indexed to,
        uint256 indexed batchId,
        uint256 amount,
        uint16 reasonCode,
        address agent
    );
    /// @notice `agent` moved every balance of `batchIds` from `lostWallet` to `newWallet`.
    event WalletRecovered(
        address indexed lostWallet,
        address indexed newWallet,
        address indexed agent,
        uint256[] batchIds,
        uint256[] amounts,
        uint16 reasonCode
    );

    /// @notice Sets the bridge, once (the bridge takes this token's address in its constructor).
    /// @dev Requirements:
    /// - caller has `DEFAULT_ADMIN_ROLE`;
    /// - the bridge was not set before; `bridge_` is not zero.
    ///
    /// Emits {BridgeSet}.
    function setBridge(address bridge_) external;

    /// @notice Marks a platform custody contract (Settlement) whose balance backs open deals: forced transfers and
    /// recoveries cannot move units into or out of it, exactly as for the bridge.
    /// @dev Requirements:
    /// - caller has `DEFAULT_ADMIN_ROLE`; `account` is not zero; the status changes.
    ///
    /// Emits {CustodianSet}.
    function setCustodian(address account, bool isProtected) external;

    /// @notice Registers a batch; its id is `uint256(keccak256(abi.encode(registryId, serialPrefix)))`.
    /// @dev Requirements:
    /// - caller is the bridge;
    /// - `registryId` is not 0 and the batch is not registered.
    ///
    /// Emits {BatchRegistered}.
    function registerBatch(
        uint8 registryId,
        string calldata serialPrefix,
        bytes32 projectId,
        uint16 vintage,
        uint8 unitType
    ) external returns (uint256 batchId);

    /// @notice Mints `amount` of `batchId` to `to`, with the ERC-1155 acceptance check.
    /// @dev Requirements:
    /// - caller is the bridge; not paused; batch registered and not frozen; `to` eligible.
    ///
    /// Emits {IERC1155-TransferSingle}.
    function mint(address to, uint256 batchId, uint256 amount) external;

    /// @notice Burns `amount` of `batchId` from the bridge's own balance (a registry-confirmed exit). Allowed on a
    /// frozen batch.
    /// @dev Requirements:
    /// - caller is the bridge; not paused; the bridge holds `amount`. No identity check: a registry-confirmed exit
    ///   must always be recordable (docs/contracts-design.md, "Deployment graph").
    ///
    /// Emits {IERC1155-TransferSingle}.
    function burn(uint256 batchId, uint256 amount) external;

    /// @notice Moves `amount` of `batchId` from `from` to `to` for the bridge (request locks and returns). Runs every
    /// `_update` check; calls no receiver hook.
    /// @dev Requirements:
    /// - caller is the bridge; `from` and `to` non-zero (never a mint or burn); not paused; batch not frozen;
    ///   `from` and `to` eligible; `from` holds `amount`.
    ///
    /// Emits {IERC1155-TransferSingle}.
    function bridgeTransfer(address from, address to, uint256 batchId, uint256 amount) external;

    /// @notice Stops every movement (mint, burn, transfer).
    /// @dev Requirements: caller has `PAUSER_ROLE`; not paused.
    ///
    /// Emits {Paused}.
    function pause() external;

    /// @notice Resumes movements.
    /// @dev Requirements: caller has `PAUSER_ROLE`; paused.
    ///
    /// Emits {Unpaused}.
    function unpause() external;

    /// @notice Freezes batch `batchId` (no mint, no transfer; burns still go through).
    /// @dev Requirements:
    /// - caller has `AGENT_ROLE` or is the bridge (automatic freeze on a reserve shortfall);
    /// - batch registered and not frozen.
    ///
    /// Emits {BatchFrozen}.
    function freezeBatch(uint256 batchId, uint16 reasonCode) external;

    /// @notice Unfreezes batch `batchId`.
    /// @dev Requirements: caller has `AGENT_ROLE`; batch frozen.
    ///
    /// Emits {BatchUnfrozen}.
    function unfreezeBatch(uint256 batchId, uint16 reasonCode) external;

    /// @notice Freezes `wallet` in the identity registry (the token holds `FREEZER_ROLE` there).
    /// @dev Requirements: caller has `AGENT_ROLE`; `wallet` not frozen.
    ///
    /// Emits {WalletFrozen} (and {IIdentityRegistry-WalletFrozenSet} from the registry).
    function freezeWallet(address wallet, uint16 reasonCode) external;

    /// @notice Unfreezes `wallet` in the identity registry.
    /// @dev Requirements: caller has `AGENT_ROLE`; `wallet` frozen.
    ///
    /// Emits {WalletUnfrozen} (and {IIdentityRegistry-WalletFrozenSet} from the registry).
    function unfreezeWallet(address wallet, uint16 reasonCode) external;

    /// @notice Moves `amount` of `batchId` from `from` to `to` without `from`'s consent. The sender's identity
    /// check is skipped (a frozen, expired or revoked wallet can be drained); the receiver must be eligible, the
    /// batch unfrozen and the token unpaused. No receiver hook is called.
    /// @dev Requirements: caller has `AGENT_ROLE`; `from`, `to` non-zero and not the bridge; `to` eligible; `from`
    /// holds `amount`.
    ///
    /// Emits {IERC1155-TransferSingle} and {ForcedTransfer}.
    function forcedTransfer(address from, address to, uint256 batchId, uint256 amount, uint16 reasonCode) external;

    /// @notice Moves every balance of `batchIds` from `lostWallet` to `newWallet` (same rules as a forced transfer).
    /// @dev Requirements: caller has `AGENT_ROLE`; wallets non-zero and not the bridge; `newWallet` eligible; no
    /// batch frozen.
    ///
    /// Emits {IERC1155-TransferBatch} (or {IERC1155-TransferSingle} for one id) and {WalletRecovered}.
    function recoverWallet(address lostWallet, address newWallet, uint256[] calldata batchIds, uint16 reasonCode)
        external;

    /// @notice The identity registry (immutable).
    function identityRegistry() external view returns (IIdentityRegistry);

    /// @notice The bridge (zero until {setBridge}).
    function bridge() external view returns (address);

    /// @notice Whether `account` is a protected custody contract (see {setCustodian}).
    function isCustodian(address account) external view returns (bool);

    /// @notice Whether movements are paused.
    function paused() external view returns (bool);

    /// @notice Units of `batchId` minted and not burned.
    function totalSupply(uint256 batchId) external view returns (uint256);

    /// @notice The registry of `batchId`, 0 when not registered.
    function batchRegistry(uint256 batchId) external view returns (uint8);

    /// @notice Whether `batchId` is frozen.
    function isBatchFrozen(uint256 batchId) external view returns (bool);

    /// @notice The packed state of `batchId`.
    function batchState(uint256 batchId) external view returns (BatchState memory);

    /// @notice The running custody hash of `batchId`: `head' = keccak256(abi.encode(head, from, to, value))` per
    /// movement, from `bytes32(0)`, in log order (recomputable from TransferSingle/TransferBatch logs alone).
    function custodyHead(uint256 batchId) external view returns (bytes32);

    /// @notice `uint256(keccak256(abi.encode(registryId, serialPrefix)))`.
    function batchIdOf(uint8 registryId, string calldata serialPrefix) external pure returns (uint256);
}
