// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/// @title IIdentityRegistry
/// @notice KYC/AML status per wallet. Only verified, unfrozen, unexpired wallets may hold or receive credits
/// (ARCHITECTURE.md §3). One storage slot per wallet, so the token's transfer check costs one cold read per party.
interface IIdentityRegistry {
    /// @notice The identity record of a wallet, packed into one storage slot (8 + 16 + 64 + 8 bits).
    /// @param verified KYC passed and not revoked.
    /// @param country ISO 3166-1 numeric country code; 0 is the platform itself (bridge, settlement).
    /// @param expiry Unix time from which the verification no longer counts.
    /// @param frozen Set by an agent (or the token's agent functions): the wallet can neither send nor receive.
    struct Identity {
        bool verified;
        uint16 country;
        uint64 expiry;
        bool frozen;
    }

    /// @notice `wallet` is not a verified identity.
    error IdentityRegistryNotVerified(address wallet);
    /// @notice The verification of `wallet` expired at `expiry`.
    error IdentityRegistryExpired(address wallet, uint64 expiry);
    /// @notice `wallet` is frozen.
    error IdentityRegistryFrozen(address wallet);
    /// @notice `wallet` is already registered (use {updateIdentity}).
    error IdentityRegistryAlreadyRegistered(address wallet);
    /// @notice The zero address cannot carry an identity.
    error IdentityRegistryZeroAddress();
    /// @notice `expiry` is not in the future.
    error IdentityRegistryInvalidExpiry(uint64 expiry);
    /// @notice The frozen flag of `wallet` is already `frozen`.
    error IdentityRegistryFrozenUnchanged(address wallet, bool frozen);

    /// @notice `wallet` was verified with `country` until `expiry`.
    event IdentityRegistered(address indexed wallet, uint16 country, uint64 expiry);
    /// @notice The country or expiry of `wallet` changed.
    event IdentityUpdated(address indexed wallet, uint16 country, uint64 expiry);
    /// @notice The verification of `wallet` was revoked (its frozen flag is kept).
    event IdentityRemoved(address indexed wallet);
    /// @notice The frozen flag of `wallet` was set to `frozen` by `agent`.
    event WalletFrozenSet(address indexed wallet, bool frozen, address indexed agent);

    /// @notice Verifies `wallet` with `country` until `expiry`. A frozen flag set earlier is kept.
    /// @dev Requirements:
    /// - caller has `KYC_AGENT_ROLE`;
    /// - `wallet` is not the zero address and is not currently verified;
    /// - `expiry` is in the future.
    ///
    /// Emits {IdentityRegistered}.
    function registerIdentity(address wallet, uint16 country, uint64 expiry) external;

    /// @notice Changes the country and expiry of a verified `wallet`.
    /// @dev Requirements:
    /// - caller has `KYC_AGENT_ROLE`;
    /// - `wallet` is verified;
    /// - `expiry` is in the future.
    ///
    /// Emits {IdentityUpdated}.
    function updateIdentity(address wallet, uint16 country, uint64 expiry) external;

    /// @notice Revokes the verification of `wallet`. The frozen flag survives, so re-registering cannot unfreeze.
    /// @dev Requirements:
    /// - caller has `KYC_AGENT_ROLE`;
    /// - `wallet` is verified.
    ///
    /// Emits {IdentityRemoved}.
    function removeIdentity(address wallet) external;

    /// @notice Sets the frozen flag of `wallet` (registered or not).
    /// @dev Requirements:
    /// - caller has `KYC_AGENT_ROLE` or `FREEZER_ROLE` (granted to the credit token for its agent functions);
    /// - the flag changes.
    ///
    /// Emits {WalletFrozenSet}.
    function setFrozen(address wallet, bool frozen) external;

    /// @notice The identity record of `wallet` (all zero when unknown).
    function identityOf(address wallet) external view returns (Identity memory);

    /// @notice Whether `wallet` is verified, unexpired and unfrozen now.
    function isEligible(address wallet) external view returns (bool);

    /// @notice Reverts unless `from` may send and `to` may receive; a zero address skips that side
    /// (mint has no sender, burn has no receiver, a forced transfer skips the sender).
    /// @dev Reverts with {IdentityRegistryNotVerified}, {IdentityRegistryExpired} or {IdentityRegistryFrozen} naming
    /// the first wallet that fails, sender first.
    function checkTransfer(address from, address to) external view;
}
