// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICreditToken} from "../interfaces/ICreditToken.sol";
import {IRegistryBridge} from "../interfaces/IRegistryBridge.sol";
import {DealId, ISettlementDeals} from "../interfaces/ISettlementDeals.sol";
import {SettlementBase} from "./SettlementBase.sol";

/**
 * @title SettlementDeals
 * @notice Conditional escrow deals (ARCHITECTURE.md §3.3): both parties sign a {Deal}. {openDeal} locks the
 * credits in Settlement (and the payment, when it is an ERC-20) and snapshots the fee terms. Conditions that
 * settle elsewhere are confirmed by the bridge's oracle quorum on a `DealConditionAttested` digest in Settlement's
 * domain.
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
abstract contract SettlementDeals is ISettlementDeals, SettlementBase {
    using SafeERC20 for IERC20;

    /// @notice Deal condition: the off-chain fiat payment reached the seller.
    uint8 public constant CONDITION_FIAT_PAYMENT_RECEIVED = 1;
    /// @notice Deal condition: the registry delivered the credits into the buyer's registry account.
    uint8 public constant CONDITION_REGISTRY_DELIVERY = 2;
    uint8 private constant _ALL_CONDITIONS = 3;

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

    mapping(DealId dealId => DealRecord) private _deals;
    mapping(bytes32 digest => bool) private _usedAttestations;

    // ---------------------------------------------------------------------------------------------------------
    // Conditional escrow deals
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementDeals
    function openDeal(Deal calldata terms, bytes calldata sellerSignature, bytes calldata buyerSignature)
        external
        nonReentrant
        returns (DealId dealId)
    {
        dealId = _hashDeal(terms);
        _checkDealTerms(dealId, terms);
        _checkSignature(terms.seller, DealId.unwrap(dealId), sellerSignature);
        _checkSignature(terms.buyer, DealId.unwrap(dealId), buyerSignature);
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

    /// @inheritdoc ISettlementDeals
    function cancelDeal(Deal calldata terms) external {
        if (msg.sender != terms.seller && msg.sender != terms.buyer) revert SettlementUnauthorized(msg.sender);
        DealId dealId = _hashDeal(terms);
        DealRecord storage rec = _deals[dealId];
        if (rec.status != DealStatus.None) revert SettlementDealExists(dealId, rec.status);
        rec.status = DealStatus.Cancelled;
        emit DealCancelled(dealId, msg.sender);
    }

    /// @inheritdoc ISettlementDeals
    function attestDealCondition(DealId dealId, uint8 condition, bytes32 evidence, bytes[] calldata signatures)
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

    /// @inheritdoc ISettlementDeals
    function startDelivery(DealId dealId) external nonReentrant returns (bytes32 requestId) {
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
        requestId = _bridge.requestIdOf(address(this), DealId.unwrap(dealId));
        rec.status = DealStatus.Delivering;
        rec.deliveryRequestId = requestId;
        emit DealDeliveryStarted(dealId, requestId, rec.buyerRegistryAccount);
        _bridge.requestWithdrawalFor(
            address(this), rec.batchId, rec.amount, DealId.unwrap(dealId), rec.buyerRegistryAccount
        );
    }

    /// @inheritdoc ISettlementDeals
    function settleDeal(DealId dealId) external nonReentrant {
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

    /// @inheritdoc ISettlementDeals
    function reclaimCredits(DealId dealId) external nonReentrant {
        DealRecord storage rec = _deals[dealId];
        _checkAfterDeadline(dealId, rec);
        if (!_creditsReclaimable(rec)) revert SettlementNothingToReclaim(dealId, rec.seller);
        rec.creditsReclaimed = true;
        rec.status = DealStatus.Expired;
        emit DealLegReclaimed(dealId, rec.seller, rec.amount, 0);
        _token.safeTransferFrom(address(this), rec.seller, rec.batchId, rec.amount, "");
    }

    /// @inheritdoc ISettlementDeals
    function reclaimPayment(DealId dealId) external nonReentrant {
        DealRecord storage rec = _deals[dealId];
        _checkAfterDeadline(dealId, rec);
        if (!_paymentReclaimable(rec)) revert SettlementNothingToReclaim(dealId, rec.buyer);
        rec.paymentReclaimed = true;
        rec.status = DealStatus.Expired;
        emit DealLegReclaimed(dealId, rec.buyer, 0, rec.price);
        IERC20(rec.paymentToken).safeTransfer(rec.buyer, rec.price);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementDeals
    function hashDeal(Deal calldata terms) external view returns (DealId) {
        return _hashDeal(terms);
    }

    /// @inheritdoc ISettlementDeals
    function hashDealConditionAttestation(DealId dealId, uint8 condition, bytes32 evidence)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(_ATTESTATION_TYPEHASH, dealId, condition, evidence)));
    }

    /// @inheritdoc ISettlementDeals
    function deal(DealId dealId) external view returns (DealRecord memory) {
        return _deals[dealId];
    }

    /// @inheritdoc ISettlementDeals
    function attestationUsed(bytes32 digest) external view returns (bool) {
        return _usedAttestations[digest];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    function _hashDeal(Deal calldata terms) private view returns (DealId) {
        return DealId.wrap(_hashTypedDataV4(keccak256(abi.encode(_DEAL_TYPEHASH, terms))));
    }

    function _checkDealTerms(DealId dealId, Deal calldata terms) private view {
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

    function _storeDeal(DealId dealId, Deal calldata terms, uint256 price) private {
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
    function _checkConditionPending(DealId dealId, DealRecord storage rec, uint8 condition) private view {
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

    function _checkAfterDeadline(DealId dealId, DealRecord storage rec) private view {
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

    function _isSingleCondition(uint8 condition) private pure returns (bool) {
        return condition == CONDITION_FIAT_PAYMENT_RECEIVED || condition == CONDITION_REGISTRY_DELIVERY;
    }
}
