// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// A community meme token with a disclosed blocklist: the owner can freeze an address
/// (say, an exploiter's) in both directions. No tax, no mint, no pause; the launch burns
/// the LP and airdrops the supply to many wallets. The blocklist is a real power over
/// holders, which is a risk to weigh, but alone it cannot take anyone's money or the pool.
contract MemeGuardToken is ZooERC20, Owned {
    mapping(address => bool) public frozen;

    event Frozen(address indexed account, bool isFrozen);

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function setFrozen(address account, bool isFrozen) external onlyOwner {
        frozen[account] = isFrozen;
        emit Frozen(account, isFrozen);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        require(!frozen[from] && !frozen[to], "account frozen");
        super._transfer(from, to, amount);
    }
}
