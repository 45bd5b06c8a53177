// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @notice A malicious ERC-1155 receiver: on receipt it calls `target` with `payload` (for example the bridge, to
/// replay the attestation that is minting to it). With `bubble` the call's revert aborts the receipt; without, the
/// revert data is recorded in `lastError` and the receipt is accepted.
contract ReentrantERC1155Receiver is IERC1155Receiver {
    address public reentryTarget;
    bytes public payload;
    bool public bubble;
    bool public attempted;
    bool public succeeded;
    bytes public lastError;

    event ReentryAttempted(bool success, bytes returnData);

    function arm(address target_, bytes calldata payload_, bool bubble_) external {
        (reentryTarget, payload, bubble) = (target_, payload_, bubble_);
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

    /// @notice Lets the receiver act as a holder (approve, transfer, request) in tests.
    function execute(address to, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    function _reenter() private {
        if (reentryTarget == address(0) || attempted) return;
        attempted = true;
        (bool ok, bytes memory ret) = reentryTarget.call(payload);
        if (!ok && bubble) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        succeeded = ok;
        lastError = ret;
        emit ReentryAttempted(ok, ret);
    }
}
