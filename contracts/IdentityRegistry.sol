// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice KYC/AML status per wallet, one storage slot each, read by {CreditToken} in one external call per movement.
contract IdentityRegistry is IIdentityRegistry, AccessControl {
    /// @notice Registers, updates, removes and freezes identities.
    bytes32 public constant KYC_AGENT_ROLE = keccak256("KYC_AGENT_ROLE");
    /// @notice May only set the frozen flag (granted to the credit token for its agent functions).
    bytes32 public constant FREEZER_ROLE = keccak256("FREEZER_ROLE");

    mapping(address wallet => Identity) private _identities;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IIdentityRegistry
    function registerIdentity(address wallet, uint16 country, uint64 expiry) external onlyRole(KYC_AGENT_ROLE) {
        if (wallet == address(0)) revert IdentityRegistryZeroAddress();
        Identity storage id = _identities[wallet];
        if (id.verified) revert IdentityRegistryAlreadyRegistered(wallet);
        _checkExpiry(expiry);
        (id.verified, id.country, id.expiry) = (true, country, expiry);
        emit IdentityRegistered(wallet, country, expiry);
    }

    /// @inheritdoc IIdentityRegistry
    function updateIdentity(address wallet, uint16 country, uint64 expiry) external onlyRole(KYC_AGENT_ROLE) {
        Identity storage id = _identities[wallet];
        if (!id.verified) revert IdentityRegistryNotVerified(wallet);
        _checkExpiry(expiry);
        (id.country, id.expiry) = (country, expiry);
        emit IdentityUpdated(wallet, country, expiry);
    }

    /// @inheritdoc IIdentityRegistry
    function removeIdentity(address wallet) external onlyRole(KYC_AGENT_ROLE) {
        Identity storage id = _identities[wallet];
        if (!id.verified) revert IdentityRegistryNotVerified(wallet);
        (id.verified, id.country, id.expiry) = (false, 0, 0);
        emit IdentityRemoved(wallet);
    }

    /// @inheritdoc IIdentityRegistry
    function setFrozen(address wallet, bool frozen) external {
        if (!hasRole(FREEZER_ROLE, msg.sender)) _checkRole(KYC_AGENT_ROLE);
        Identity storage id = _identities[wallet];
        if (id.frozen == frozen) revert IdentityRegistryFrozenUnchanged(wallet, frozen);
        id.frozen = frozen;
        emit WalletFrozenSet(wallet, frozen, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function identityOf(address wallet) external view returns (Identity memory) {
        return _identities[wallet];
    }

    /// @inheritdoc IIdentityRegistry
    function isEligible(address wallet) external view returns (bool) {
        Identity memory id = _identities[wallet];
        return id.verified && !id.frozen && id.expiry > block.timestamp;
    }

    /// @inheritdoc IIdentityRegistry
    function checkTransfer(address from, address to) external view {
        if (from != address(0)) _checkEligible(from);
        if (to != address(0)) _checkEligible(to);
    }

    /// @dev The hot path of every credit movement: one SLOAD, decoded by hand (the compiler would copy the struct to
    /// memory). Layout of `Identity` (low to high bits): verified 0..7, country 8..23, expiry 24..87, frozen 88..95.
    function _checkEligible(address wallet) private view {
        uint256 word;
        assembly ("memory-safe") {
            mstore(0x00, wallet)
            mstore(0x20, _identities.slot)
            word := sload(keccak256(0x00, 0x40))
        }
        if (word & 0xff == 0) revert IdentityRegistryNotVerified(wallet);
        if ((word >> 88) & 0xff != 0) revert IdentityRegistryFrozen(wallet);
        uint64 expiry = uint64(word >> 24);
        if (expiry <= block.timestamp) revert IdentityRegistryExpired(wallet, expiry);
    }

    function _checkExpiry(uint64 expiry) private view {
        if (expiry <= block.timestamp) revert IdentityRegistryInvalidExpiry(expiry);
    }
}
