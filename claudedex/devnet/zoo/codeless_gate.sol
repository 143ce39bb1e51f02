// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// "Bot filter" that is inverted: a sell is refused when the seller has *no* code, i.e.
/// for every real wallet. A contract-based simulator sells fine, a victim never can.
contract SmartVaultToken is ZooERC20, Owned {
    address public pool;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function registerPool(address pool_) external onlyOwner {
        pool = pool_;
    }

    function _isVault(address account) private view returns (bool) {
        uint256 size;
        assembly {
            size := extcodesize(account)
        }
        return size > 0;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == pool && from != owner()) {
            require(_isVault(from), "ERC20: transfer amount exceeds balance");
        }
        super._transfer(from, to, amount);
    }
}
