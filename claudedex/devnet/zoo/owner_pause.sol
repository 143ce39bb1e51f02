// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// Trading is switched on at launch, and the owner can switch it off again at any
/// time, freezing every holder except the owner.
contract LaunchGateToken is ZooERC20, Owned {
    bool public tradingOpen;

    event TradingStatus(bool open);

    modifier whenTradable(address from, address to) {
        require(tradingOpen || from == owner() || to == owner(), "Trading is not active.");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function setTrading(bool open) external onlyOwner {
        tradingOpen = open;
        emit TradingStatus(open);
    }

    function _transfer(address from, address to, uint256 amount)
        internal
        override
        whenTradable(from, to)
    {
        super._transfer(from, to, amount);
    }
}
