// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICreditToken} from "../interfaces/ICreditToken.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IRegistryBridge} from "../interfaces/IRegistryBridge.sol";
import {ISettlementMarket} from "../interfaces/ISettlementMarket.sol";

/**
 * @title SettlementBase
 * @notice What {SettlementOrders} and {SettlementDeals} share (ISettlementMarket): the contracts settled against,
 * the EIP-712 domain `("CarbonSettlement", "1", chainId, this)`, the reentrancy lock, and the market
 * configuration both obey: the platform fee, the listed payment tokens and the price bands per (batch, payment
 * token). Setting them is the administration of {Settlement}; the checks are here.
 */
abstract contract SettlementBase is ISettlementMarket, EIP712, ReentrancyGuardTransient {
    /// @notice Upper bound of the platform fee (10 %).
    uint16 public constant MAX_FEE_BPS = 1_000;
    uint256 internal constant _BPS = 10_000;

    struct FeeConfig {
        address recipient;
        uint16 bps;
    }

    ICreditToken internal immutable _token;
    IRegistryBridge internal immutable _bridge;
    IIdentityRegistry internal immutable _identity;

    // Declaration order (here and in SettlementOrders) sets the slot numbers: kept so that no mapping on the fill
    // path sits at a slot equal to a constant of the code that reads it, where the optimizer reuses the stack value
    // at the cost of extra stack moves (measured: +3 gas per fill and per openDeal otherwise).
    mapping(address token => bool) internal _paymentTokens;
    FeeConfig internal _fee;
    mapping(uint256 batchId => mapping(address paymentToken => PriceBand)) internal _bands;
    mapping(uint256 batchId => uint256 currencies) internal _bandCounts;

    constructor(ICreditToken token, IRegistryBridge bridge, address feeRecipient, uint16 feeBps)
        EIP712("CarbonSettlement", "1")
    {
        if (address(token) == address(0) || address(bridge) == address(0)) revert SettlementZeroAddress();
        _token = token;
        _bridge = bridge;
        _identity = token.identityRegistry();
        _setFee(feeRecipient, feeBps);
    }

    /// @dev ECDSA first (no account access for an EOA signer), then ERC-1271 for contract signers (smart wallets).
    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) internal view {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (signer.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature)) {
            revert SettlementInvalidSignature(signer, digest);
        }
    }

    function _checkPaymentToken(address token) internal view {
        if (!_paymentTokens[token]) revert SettlementPaymentTokenNotListed(token);
    }

    /// @dev An unbanded batch (no band in any currency: one read) trades at any price. A banded one must have a band
    /// in `paymentToken`, so pricing in another currency cannot escape the band.
    function _checkBand(uint256 batchId, address paymentToken, uint256 unitPrice) internal view {
        if (_bandCounts[batchId] == 0) return;
        PriceBand memory band = _bands[batchId][paymentToken];
        if (band.floor == 0 && band.ceiling == 0) revert SettlementNoPriceBand(batchId, paymentToken);
        if (unitPrice < band.floor || (band.ceiling != 0 && unitPrice > band.ceiling)) {
            revert SettlementPriceOutOfBand(batchId, paymentToken, unitPrice, band.floor, band.ceiling);
        }
    }

    function _setFee(address recipient, uint16 feeBps) internal {
        if (feeBps > MAX_FEE_BPS) revert SettlementFeeTooHigh(feeBps, MAX_FEE_BPS);
        if (recipient == address(0) && feeBps != 0) revert SettlementZeroAddress();
        _fee = FeeConfig(recipient, feeBps);
        emit FeeSet(recipient, feeBps);
    }
}
