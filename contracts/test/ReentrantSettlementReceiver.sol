// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title ReentrantSettlementReceiver
/// @notice Malicious buyer wallet for tests: a verified identity that takes orders through Settlement and, when
/// the credits arrive (`onERC1155Received`), re-enters Settlement once with armed calldata. It records whether
/// that call succeeded and its revert data, then accepts the credits.
contract ReentrantSettlementReceiver is IERC1155Receiver {
    address private _target;
    bytes private _payload;
    bool private _armed;

    bool public lastCallSucceeded;
    bytes public lastCallData;
    uint256 public callbackCount;

    /// @notice Arms one re-entrant call into `target` with `payload` on the next credit receipt.
    function arm(address target, bytes calldata payload) external {
        _target = target;
        _payload = payload;
        _armed = true;
    }

    /// @notice Forwards any call (fill, approvals) from this wallet.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function approveToken(IERC20 token, address spender, uint256 amount) external {
        token.approve(spender, amount);
    }

    function setApprovalForAll(IERC1155 token, address operator) external {
        token.setApprovalForAll(operator, true);
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        _reenter();
        return IERC1155Receiver.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        returns (bytes4)
    {
        _reenter();
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    function _reenter() private {
        if (!_armed) return;
        _armed = false;
        ++callbackCount;
        (bool ok, bytes memory data) = _target.call(_payload);
        lastCallSucceeded = ok;
        lastCallData = data;
    }
}
