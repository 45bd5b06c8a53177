// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantPaymentToken
/// @notice Malicious ERC-20 for tests: on `transferFrom` (and `transfer`) it calls an armed target with armed
/// calldata once, records whether the call succeeded and the revert data, and carries on with the transfer.
contract ReentrantPaymentToken is ERC20 {
    address private _target;
    bytes private _payload;
    bool private _armed;

    /// @notice Whether the re-entrant call succeeded, and what it returned or reverted with.
    bool public lastCallSucceeded;
    bytes public lastCallData;
    uint256 public callbackCount;

    constructor() ERC20("Reentrant Payment", "RPAY") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms one re-entrant call into `target` with `payload` on the next transfer.
    function arm(address target, bytes calldata payload) external {
        _target = target;
        _payload = payload;
        _armed = true;
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        _reenter();
        return super.transferFrom(from, to, value);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        _reenter();
        return super.transfer(to, value);
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
