// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./IUniswapV2.sol";

/// Honest anti-bot rule: a buyer may not sell within 30 seconds of its last buy (stops
/// same-block sandwich bots). The rule is a constant, the pairs are fixed at construction
/// and there is no owner, so it can never be tightened.
contract CalmLaunchToken {
    uint256 public constant SELL_COOLDOWN = 30;

    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    mapping(address => bool) public isPair;
    mapping(address => uint256) public lastBuyAt;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply_,
                address[] memory routers_) {
        name = name_;
        symbol = symbol_;
        for (uint256 i = 0; i < routers_.length; i++) {
            IUniswapV2RouterLite r = IUniswapV2RouterLite(routers_[i]);
            isPair[IUniswapV2FactoryLite(r.factory()).createPair(address(this), r.WETH())] = true;
        }
        totalSupply = supply_;
        balanceOf[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        if (isPair[from]) {
            lastBuyAt[to] = block.timestamp;
        } else if (isPair[to]) {
            require(block.timestamp >= lastBuyAt[from] + SELL_COOLDOWN, "cooldown: 30s after buy");
        }
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
