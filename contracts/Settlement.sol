// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {ICreditToken} from "./interfaces/ICreditToken.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IRegistryBridge} from "./interfaces/IRegistryBridge.sol";
import {ISettlement} from "./interfaces/ISettlement.sol";
import {SettlementBase} from "./settlement/SettlementBase.sol";
import {SettlementDeals} from "./settlement/SettlementDeals.sol";
import {SettlementOrders} from "./settlement/SettlementOrders.sol";

/**
 * @title Settlement
 * @notice Delivery versus payment for tokenized carbon credits (ARCHITECTURE.md §3.3), composed the way
 * OpenZeppelin composes its contracts: instant fills of signed orders ({SettlementOrders}) and conditional escrow
 * deals ({SettlementDeals}) over one market configuration ({SettlementBase}: the fee, the listed payment tokens and
 * the price bands per (batch, payment token), which fills and deals alike obey; a batch banded in any currency
 * trades only in currencies where it has a band). This contract adds the constructor, the administration of that
 * configuration (MARKET_ADMIN_ROLE), the ERC-1155 receiver hooks (escrow only) and the configuration's views.
 */
contract Settlement is ISettlement, SettlementOrders, SettlementDeals, AccessControl, IERC1155Receiver {
    /// @notice May set price bands, payment tokens and the fee.
    bytes32 public constant MARKET_ADMIN_ROLE = keccak256("MARKET_ADMIN_ROLE");

    /**
     * @param token The credit token (ERC-1155).
     * @param bridge The registry bridge: oracle quorum, retirement and withdrawal requests.
     * @param admin Receives DEFAULT_ADMIN_ROLE and MARKET_ADMIN_ROLE.
     * @param feeRecipient Receives the platform fee.
     * @param feeBps Platform fee in basis points, at most {MAX_FEE_BPS}.
     */
    constructor(ICreditToken token, IRegistryBridge bridge, address admin, address feeRecipient, uint16 feeBps)
        SettlementBase(token, bridge, feeRecipient, feeBps)
    {
        if (admin == address(0)) revert SettlementZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MARKET_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function setPriceBand(uint256 batchId, address paymentToken, uint128 floor, uint128 ceiling)
        external
        onlyRole(MARKET_ADMIN_ROLE)
    {
        if (ceiling != 0 && ceiling < floor) revert SettlementInvalidBand(floor, ceiling);
        PriceBand storage band = _bands[batchId][paymentToken];
        bool had = band.floor != 0 || band.ceiling != 0;
        bool has = floor != 0 || ceiling != 0;
        if (had != has) {
            // at most one band per (batch, currency): the count cannot underflow or overflow
            unchecked {
                _bandCounts[batchId] = has ? _bandCounts[batchId] + 1 : _bandCounts[batchId] - 1;
            }
        }
        (band.floor, band.ceiling) = (floor, ceiling);
        emit PriceBandSet(batchId, paymentToken, floor, ceiling);
    }

    /// @inheritdoc ISettlement
    function setPaymentToken(address token, bool listed) external onlyRole(MARKET_ADMIN_ROLE) {
        if (token == address(0)) revert SettlementZeroAddress();
        _paymentTokens[token] = listed;
        emit PaymentTokenSet(token, listed);
    }

    /// @inheritdoc ISettlement
    function setFee(address recipient, uint16 feeBps) external onlyRole(MARKET_ADMIN_ROLE) {
        _setFee(recipient, feeBps);
    }

    // ---------------------------------------------------------------------------------------------------------
    // ERC-1155 receiver: only escrow deposits made by Settlement itself
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Accepts credits of the configured token moved by Settlement itself ({openDeal}); refuses the rest,
    /// so Settlement's balance is always the sum of its escrows.
    function onERC1155Received(address operator, address, uint256, uint256, bytes calldata)
        external
        view
        returns (bytes4)
    {
        _checkReceipt(operator);
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @notice Refuses batch receipts unless moved by Settlement itself (it never makes any).
    function onERC1155BatchReceived(address operator, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        view
        returns (bytes4)
    {
        _checkReceipt(operator);
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function priceBand(uint256 batchId, address paymentToken) external view returns (PriceBand memory) {
        return _bands[batchId][paymentToken];
    }

    /// @inheritdoc ISettlement
    function priceBandCount(uint256 batchId) external view returns (uint256) {
        return _bandCounts[batchId];
    }

    /// @inheritdoc ISettlement
    function isPaymentToken(address token) external view returns (bool) {
        return _paymentTokens[token];
    }

    /// @inheritdoc ISettlement
    function fee() external view returns (address recipient, uint16 feeBps) {
        FeeConfig memory f = _fee;
        return (f.recipient, f.bps);
    }

    /// @inheritdoc ISettlement
    function dependencies() external view returns (ICreditToken token, IRegistryBridge bridge, IIdentityRegistry identity) {
        return (_token, _bridge, _identity);
    }

    function _checkReceipt(address operator) private view {
        if (msg.sender != address(_token) || operator != address(this)) {
            revert SettlementUnexpectedReceipt(msg.sender, operator);
        }
    }
}
