// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IRegistryBridge} from "../interfaces/IRegistryBridge.sol";

/// @title Attestations
/// @notice EIP-712 type strings and struct hashes of the bridge's oracle attestations. Each type string is written one
/// field per line and mirrored field for field by `backend/src/chain/attestations.ts`.
/// @dev The batched kinds are standard EIP-712 arrays of structs: `hashStruct(batch) = keccak256(typeHash,
/// keccak256(concat(hashStruct(item_i))))`, so wallets and viem sign them natively.
library Attestations {
    bytes32 internal constant DEPOSIT_CONFIRMED_TYPEHASH = keccak256(
        "DepositConfirmed("
            "bytes32 depositId,"
            "address holder,"
            "uint8 registryId,"
            "string serialPrefix,"
            "bytes32 projectId,"
            "uint16 vintage,"
            "uint8 unitType,"
            "uint64 blockStart,"
            "uint64 blockEnd"
        ")"
    );

    bytes32 internal constant DEPOSIT_CONFIRMED_BATCH_TYPEHASH = keccak256(
        "DepositConfirmedBatch("
            "DepositConfirmed[] items"
        ")"
        "DepositConfirmed("
            "bytes32 depositId,"
            "address holder,"
            "uint8 registryId,"
            "string serialPrefix,"
            "bytes32 projectId,"
            "uint16 vintage,"
            "uint8 unitType,"
            "uint64 blockStart,"
            "uint64 blockEnd"
        ")"
    );

    bytes32 internal constant RETIREMENT_CONFIRMED_TYPEHASH = keccak256(
        "RetirementConfirmed("
            "bytes32 requestId,"
            "address holder,"
            "uint256 batchId,"
            "uint256 amount,"
            "bytes32 detailsHash,"
            "bytes32 retirementIdHash,"
            "bytes32 serialRangeHash"
        ")"
    );

    bytes32 internal constant RETIREMENT_CONFIRMED_BATCH_TYPEHASH = keccak256(
        "RetirementConfirmedBatch("
            "RetirementConfirmed[] items"
        ")"
        "RetirementConfirmed("
            "bytes32 requestId,"
            "address holder,"
            "uint256 batchId,"
            "uint256 amount,"
            "bytes32 detailsHash,"
            "bytes32 retirementIdHash,"
            "bytes32 serialRangeHash"
        ")"
    );

    bytes32 internal constant RETIREMENT_REJECTED_TYPEHASH = keccak256(
        "RetirementRejected("
            "bytes32 requestId,"
            "address holder,"
            "uint256 batchId,"
            "uint256 amount,"
            "bytes32 detailsHash,"
            "bytes32 reasonHash"
        ")"
    );

    bytes32 internal constant WITHDRAWAL_CONFIRMED_TYPEHASH = keccak256(
        "WithdrawalConfirmed("
            "bytes32 requestId,"
            "address holder,"
            "uint256 batchId,"
            "uint256 amount,"
            "bytes32 registryAccount,"
            "bytes32 registryTxHash,"
            "bytes32 serialRangeHash,"
            "uint64 blockStart,"
            "uint64 blockEnd"
        ")"
    );

    bytes32 internal constant WITHDRAWAL_CONFIRMED_BATCH_TYPEHASH = keccak256(
        "WithdrawalConfirmedBatch("
            "WithdrawalConfirmed[] items"
        ")"
        "WithdrawalConfirmed("
            "bytes32 requestId,"
            "address holder,"
            "uint256 batchId,"
            "uint256 amount,"
            "bytes32 registryAccount,"
            "bytes32 registryTxHash,"
            "bytes32 serialRangeHash,"
            "uint64 blockStart,"
            "uint64 blockEnd"
        ")"
    );

    bytes32 internal constant WITHDRAWAL_REJECTED_TYPEHASH = keccak256(
        "WithdrawalRejected("
            "bytes32 requestId,"
            "address holder,"
            "uint256 batchId,"
            "uint256 amount,"
            "bytes32 registryAccount,"
            "bytes32 reasonHash"
        ")"
    );

    bytes32 internal constant RESERVE_ATTESTED_TYPEHASH = keccak256(
        "ReserveAttested("
            "uint256 batchId,"
            "uint256 units,"
            "uint64 asOf"
        ")"
    );

    function hash(IRegistryBridge.DepositConfirmation calldata d) internal pure returns (bytes32) {
        bytes memory head = abi.encode(
            DEPOSIT_CONFIRMED_TYPEHASH, d.depositId, d.holder, d.registryId, keccak256(bytes(d.serialPrefix))
        );
        return keccak256(bytes.concat(head, abi.encode(d.projectId, d.vintage, d.unitType, d.blockStart, d.blockEnd)));
    }

    function hash(IRegistryBridge.RetirementConfirmation calldata c) internal pure returns (bytes32) {
        return keccak256(abi.encode(RETIREMENT_CONFIRMED_TYPEHASH, c));
    }

    function hash(IRegistryBridge.RetirementRejection calldata r) internal pure returns (bytes32) {
        return keccak256(abi.encode(RETIREMENT_REJECTED_TYPEHASH, r));
    }

    function hash(IRegistryBridge.WithdrawalConfirmation calldata c) internal pure returns (bytes32) {
        return keccak256(abi.encode(WITHDRAWAL_CONFIRMED_TYPEHASH, c));
    }

    function hash(IRegistryBridge.WithdrawalRejection calldata r) internal pure returns (bytes32) {
        return keccak256(abi.encode(WITHDRAWAL_REJECTED_TYPEHASH, r));
    }

    function hash(IRegistryBridge.ReserveAttestation calldata r) internal pure returns (bytes32) {
        return keccak256(abi.encode(RESERVE_ATTESTED_TYPEHASH, r));
    }

    function hashBatch(IRegistryBridge.DepositConfirmation[] calldata items) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            hashes[i] = hash(items[i]);
        }
        return keccak256(abi.encode(DEPOSIT_CONFIRMED_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes))));
    }

    function hashBatch(IRegistryBridge.RetirementConfirmation[] calldata items) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            hashes[i] = hash(items[i]);
        }
        return keccak256(abi.encode(RETIREMENT_CONFIRMED_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes))));
    }

    function hashBatch(IRegistryBridge.WithdrawalConfirmation[] calldata items) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            hashes[i] = hash(items[i]);
        }
        return keccak256(abi.encode(WITHDRAWAL_CONFIRMED_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes))));
    }
}
