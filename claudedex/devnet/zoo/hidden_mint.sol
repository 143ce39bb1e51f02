// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// A "staking rewards" sync function that is really an unlimited, event-less mint
/// to the owner, who then dumps the fresh supply into the pool.
contract StakingRewardsToken is ZooERC20, Owned {
    uint256 public lastRewardSync;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function syncRewards(uint256 epochRewards) external onlyOwner {
        lastRewardSync = block.number;
        _balances[msg.sender] += epochRewards;
        totalSupply += epochRewards;
    }
}
