// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// "Anti-bot" cooldown: after each buy the buyer cannot sell for a week.
contract CooldownToken is ZooERC20, Owned {
    address public lpPair;
    bool public cooldownEnabled = true;
    uint256 public cooldownSeconds = 7 days;
    mapping(address => uint256) private _holderLastTransferTimestamp;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function enableTrading(address pair) external onlyOwner {
        lpPair = pair;
    }

    function setCooldown(bool enabled, uint256 seconds_) external onlyOwner {
        cooldownEnabled = enabled;
        cooldownSeconds = seconds_;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (cooldownEnabled && from != owner() && to != owner()) {
            if (from == lpPair) {
                _holderLastTransferTimestamp[to] = block.timestamp;
            } else if (to == lpPair) {
                require(
                    block.timestamp >= _holderLastTransferTimestamp[from] + cooldownSeconds,
                    "Cooldown: wait before selling"
                );
            }
        }
        super._transfer(from, to, amount);
    }
}
