// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/// @notice Temporary file so the compiler toolchain can be checked before the real contracts land.
contract Placeholder {}
