// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// Code-wise an honest token; the scam is off-chain: the deployer keeps the LP tokens
/// and pulls the liquidity once buyers have piled in.
contract FairLaunchToken is ZooERC20, Owned {
    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }
}
