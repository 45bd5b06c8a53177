// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ICreditToken} from "./interfaces/ICreditToken.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title CreditToken
/// @notice Permissioned ERC-1155 carbon credits. One `_update` override enforces the pause, the batch freeze and
/// both parties' identities for every movement and extends the batch's custody head.
/// @dev Gas layout: the bridge address and the pause flag share one slot; supply, registry, freeze flag and batch
/// metadata share one slot per batch; the custody head is one slot per batch; the identity check is one external
/// call reading one slot per party. Supply is tracked here (no ERC1155Supply: no global total is needed).
contract CreditToken is ICreditToken, ERC1155, AccessControl {
    /// @notice Freezes wallets and batches, forces transfers, recovers wallets.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @notice Pauses and unpauses every movement.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @dev One slot read by every movement: the pause flag, the bridge (every bridge call) and the number of frozen
    /// batches. While no batch is frozen anywhere, a transfer skips reading its batch's slot (the common path);
    /// once any batch is frozen, every transfer reads its own batch's flag. Mints and burns read the batch slot anyway.
    struct Config {
        address bridge;
        bool paused;
        uint32 frozenBatches;
    }

    IIdentityRegistry private immutable _identity;
    Config private _config;
    mapping(uint256 batchId => BatchState) private _batches;
    mapping(uint256 batchId => bytes32) private _heads;
    mapping(address account => bool) private _custodians;
    /// @dev Set only for the duration of an agent's forced transfer or recovery: skips the sender's identity check.
    bool private transient _forced;

    modifier onlyBridge() {
        if (msg.sender != _config.bridge) revert CreditTokenUnauthorizedBridge(msg.sender);
        _;
    }

    constructor(IIdentityRegistry identity_, address admin, string memory uri_) ERC1155(uri_) {
        if (address(identity_) == address(0) || admin == address(0)) revert CreditTokenZeroAddress();
        _identity = identity_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------------------------------------ admin

    /// @inheritdoc ICreditToken
    function setBridge(address bridge_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bridge_ == address(0)) revert CreditTokenZeroAddress();
        address current = _config.bridge;
        if (current != address(0)) revert CreditTokenBridgeAlreadySet(current);
        _config.bridge = bridge_;
        emit BridgeSet(bridge_);
    }

    /// @inheritdoc ICreditToken
    function setCustodian(address account, bool isProtected) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (account == address(0)) revert CreditTokenZeroAddress();
        if (_custodians[account] == isProtected) revert CreditTokenCustodianUnchanged(account, isProtected);
        _custodians[account] = isProtected;
        emit CustodianSet(account, isProtected);
    }

    /// @inheritdoc ICreditToken
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_config.paused) revert CreditTokenPaused();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc ICreditToken
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_config.paused) revert CreditTokenNotPaused();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    // ------------------------------------------------------------------------------------------------ bridge

    /// @inheritdoc ICreditToken
    function registerBatch(
        uint8 registryId,
        string calldata serialPrefix,
        bytes32 projectId,
        uint16 vintage,
        uint8 unitType
    ) external onlyBridge returns (uint256 batchId) {
        if (registryId == 0) revert CreditTokenInvalidRegistry(registryId);
        batchId = _batchIdOf(registryId, serialPrefix);
        BatchState storage batch = _batches[batchId];
        if (batch.registryId != 0) revert CreditTokenBatchAlreadyRegistered(batchId);
        (batch.registryId, batch.vintage, batch.unitType) = (registryId, vintage, unitType);
        emit BatchRegistered(batchId, registryId, projectId, vintage, unitType, serialPrefix);
    }

    /// @inheritdoc ICreditToken
    function mint(address to, uint256 batchId, uint256 amount) external onlyBridge {
        _mint(to, batchId, amount, "");
    }

    /// @inheritdoc ICreditToken
    function burn(uint256 batchId, uint256 amount) external onlyBridge {
        _burn(msg.sender, batchId, amount);
    }

    /// @inheritdoc ICreditToken
    function bridgeTransfer(address from, address to, uint256 batchId, uint256 amount) external onlyBridge {
        // never a mint or a burn: those have their own, narrower entry points
        if (from == address(0) || to == address(0)) revert CreditTokenZeroAddress();
        (uint256[] memory ids, uint256[] memory values) = _singletons(batchId, amount);
        _update(from, to, ids, values);
    }

    // ------------------------------------------------------------------------------------------------ agents

    /// @inheritdoc ICreditToken
    function freezeBatch(uint256 batchId, uint16 reasonCode) external {
        if (msg.sender != _config.bridge && !hasRole(AGENT_ROLE, msg.sender)) {
            revert CreditTokenUnauthorizedFreezer(msg.sender);
        }
        _setBatchFrozen(batchId, true);
        emit BatchFrozen(batchId, reasonCode, msg.sender);
    }

    /// @inheritdoc ICreditToken
    function unfreezeBatch(uint256 batchId, uint16 reasonCode) external onlyRole(AGENT_ROLE) {
        _setBatchFrozen(batchId, false);
        emit BatchUnfrozen(batchId, reasonCode, msg.sender);
    }

    /// @inheritdoc ICreditToken
    function freezeWallet(address wallet, uint16 reasonCode) external onlyRole(AGENT_ROLE) {
        _identity.setFrozen(wallet, true);
        emit WalletFrozen(wallet, reasonCode, msg.sender);
    }

    /// @inheritdoc ICreditToken
    function unfreezeWallet(address wallet, uint16 reasonCode) external onlyRole(AGENT_ROLE) {
        _identity.setFrozen(wallet, false);
        emit WalletUnfrozen(wallet, reasonCode, msg.sender);
    }

    /// @inheritdoc ICreditToken
    function forcedTransfer(address from, address to, uint256 batchId, uint256 amount, uint16 reasonCode)
        external
        onlyRole(AGENT_ROLE)
    {
        _checkAgentParties(from, to);
        (uint256[] memory ids, uint256[] memory values) = _singletons(batchId, amount);
        _forcedUpdate(from, to, ids, values);
        emit ForcedTransfer(from, to, batchId, amount, reasonCode, msg.sender);
    }

    /// @inheritdoc ICreditToken
    function recoverWallet(address lostWallet, address newWallet, uint256[] calldata batchIds, uint16 reasonCode)
        external
        onlyRole(AGENT_ROLE)
    {
        _checkAgentParties(lostWallet, newWallet);
        uint256[] memory ids = batchIds;
        uint256[] memory amounts = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            amounts[i] = balanceOf(lostWallet, ids[i]);
        }
        _forcedUpdate(lostWallet, newWallet, ids, amounts);
        emit WalletRecovered(lostWallet, newWallet, msg.sender, ids, amounts, reasonCode);
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @inheritdoc ICreditToken
    function identityRegistry() external view returns (IIdentityRegistry) {
        return _identity;
    }

    /// @inheritdoc ICreditToken
    function bridge() external view returns (address) {
        return _config.bridge;
    }

    /// @inheritdoc ICreditToken
    function isCustodian(address account) external view returns (bool) {
        return _custodians[account];
    }

    /// @inheritdoc ICreditToken
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc ICreditToken
    function totalSupply(uint256 batchId) external view returns (uint256) {
        return _batches[batchId].supply;
    }

    /// @inheritdoc ICreditToken
    function batchRegistry(uint256 batchId) external view returns (uint8) {
        return _batches[batchId].registryId;
    }

    /// @inheritdoc ICreditToken
    function isBatchFrozen(uint256 batchId) external view returns (bool) {
        return _batches[batchId].frozen;
    }

    /// @inheritdoc ICreditToken
    function batchState(uint256 batchId) external view returns (BatchState memory) {
        return _batches[batchId];
    }

    /// @inheritdoc ICreditToken
    function custodyHead(uint256 batchId) external view returns (bytes32) {
        return _heads[batchId];
    }

    /// @inheritdoc ICreditToken
    function batchIdOf(uint8 registryId, string calldata serialPrefix) external pure returns (uint256) {
        return _batchIdOf(registryId, serialPrefix);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC1155, AccessControl, IERC165)
        returns (bool)
    {
        return interfaceId == type(ICreditToken).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------------ internals

    /// @dev The one place every movement passes: pause, identities (sender skipped on mint and in forced mode; none
    /// on burn: only the bridge burns, its own pending units, on a registry-confirmed exit that must always be
    /// recordable, see docs/contracts-design.md), then per id the batch freeze (not for burns), supply, custody head.
    /// No external call but the identity view, and no receiver hook (that runs after, in the caller).
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        Config memory config = _config;
        if (config.paused) revert CreditTokenPaused();
        if (to != address(0)) _identity.checkTransfer(_forced ? address(0) : from, to);
        super._update(from, to, ids, values);
        bool anyFrozen = config.frozenBatches != 0;
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            uint256 value = values[i];
            if (from == address(0)) _trackMint(id, value);
            else if (to == address(0)) _trackBurn(id, value);
            else if (anyFrozen && _batches[id].frozen) revert CreditTokenBatchFrozen(id);
            _heads[id] = _custodyStep(_heads[id], from, to, value);
        }
    }

    function _trackMint(uint256 id, uint256 value) private {
        BatchState storage batch = _batches[id];
        if (batch.registryId == 0) revert CreditTokenBatchNotRegistered(id);
        if (batch.frozen) revert CreditTokenBatchFrozen(id);
        uint256 supply = uint256(batch.supply) + value;
        if (supply > type(uint128).max) revert CreditTokenSupplyOverflow(id);
        batch.supply = uint128(supply);
    }

    /// @dev Burns pass on a frozen batch: a registry-confirmed exit must always be recordable.
    function _trackBurn(uint256 id, uint256 value) private {
        // value <= burned balance <= supply < 2^128, so the cast is exact (the subtraction is checked anyway)
        _batches[id].supply -= uint128(value);
    }

    function _forcedUpdate(address from, address to, uint256[] memory ids, uint256[] memory values) private {
        _forced = true;
        _update(from, to, ids, values);
        _forced = false;
    }

    function _checkAgentParties(address from, address to) private view {
        if (from == address(0) || to == address(0)) revert CreditTokenZeroAddress();
        address bridge_ = _config.bridge;
        if (from == bridge_ || to == bridge_) revert CreditTokenBridgeProtected(bridge_);
        if (_custodians[from]) revert CreditTokenCustodianProtected(from);
        if (_custodians[to]) revert CreditTokenCustodianProtected(to);
    }

    function _setBatchFrozen(uint256 batchId, bool frozen) private {
        BatchState storage batch = _batches[batchId];
        if (batch.registryId == 0) revert CreditTokenBatchNotRegistered(batchId);
        if (batch.frozen == frozen) revert CreditTokenBatchFrozenUnchanged(batchId, frozen);
        batch.frozen = frozen;
        // at most one increment per registered batch: far below 2^32
        if (frozen) ++_config.frozenBatches;
        else --_config.frozenBatches;
    }

    /// @dev `keccak256(abi.encode(head, from, to, value))` over scratch memory (0x00..0x7f), restoring the free
    /// memory pointer and the zero slot afterwards.
    function _custodyStep(bytes32 head, address from, address to, uint256 value) private pure returns (bytes32 next) {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, head)
            mstore(0x20, and(from, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x40, and(to, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x60, value)
            next := keccak256(0x00, 0x80)
            mstore(0x40, fmp)
            mstore(0x60, 0)
        }
    }

    function _singletons(uint256 a, uint256 b) private pure returns (uint256[] memory as_, uint256[] memory bs) {
        as_ = new uint256[](1);
        bs = new uint256[](1);
        as_[0] = a;
        bs[0] = b;
    }

    function _batchIdOf(uint8 registryId, string calldata serialPrefix) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(registryId, serialPrefix)));
    }
}
