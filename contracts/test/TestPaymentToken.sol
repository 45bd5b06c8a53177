// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestPaymentToken
/// @notice Stablecoin stand-in for local networks and tests: 6 decimals, mintable by its deployer only.
contract TestPaymentToken is ERC20 {
    /// @notice `caller` is not the deployer.
    error TestPaymentTokenUnauthorized(address caller);

    address private immutable _minter;

    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {
        _minter = msg.sender;
    }

    /// @notice Mints `amount` to `to`. Requirements: the caller deployed this token. Emits {IERC20-Transfer}.
    function mint(address to, uint256 amount) external {
        if (msg.sender != _minter) revert TestPaymentTokenUnauthorized(msg.sender);
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
