// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./IUniswapV2.sol";

/// A token with a disclosed, immutable transfer tax on buys and sells (at most 5 %),
/// paid straight to a treasury. The tax can never change: it is an immutable. The
/// constructor creates the WETH pair on every given venue; no pair can be added later.
contract TreasuryTaxToken {
    uint256 public constant MAX_TAX_BPS = 500;

    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;

    uint256 public immutable TAX_BPS;
    address public immutable treasury;
    address public immutable uniswapV2Pair;
    address private immutable _deployer;
    mapping(address => bool) public isMarketPair;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(
        string memory name_,
        string memory symbol_,
        uint256 supply_,
        address[] memory routers_,
        address treasury_,
        uint256 taxBps_
    ) {
        require(taxBps_ <= MAX_TAX_BPS, "tax too high");
        name = name_;
        symbol = symbol_;
        decimals = 18;
        TAX_BPS = taxBps_;
        treasury = treasury_;
        _deployer = msg.sender;
        address firstPair;
        for (uint256 i = 0; i < routers_.length; i++) {
            IUniswapV2RouterLite router = IUniswapV2RouterLite(routers_[i]);
            address created = IUniswapV2FactoryLite(router.factory()).createPair(address(this), router.WETH());
            isMarketPair[created] = true;
            if (i == 0) firstPair = created;
        }
        uniswapV2Pair = firstPair;
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
        _transferWithTax(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            allowance[from][msg.sender] = allowed - amount;
        }
        _transferWithTax(from, to, amount);
        return true;
    }

    function _transferWithTax(address from, address to, uint256 amount) internal {
        balanceOf[from] -= amount;
        uint256 tax = 0;
        bool trade = isMarketPair[from] || isMarketPair[to];
        bool exempt = from == _deployer || to == _deployer || from == treasury || to == treasury;
        if (trade && !exempt) {
            tax = (amount * TAX_BPS) / 10_000;
            balanceOf[treasury] += tax;
            emit Transfer(from, treasury, tax);
        }
        balanceOf[to] += amount - tax;
        emit Transfer(from, to, amount - tax);
    }
}
