// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A separate "transfer policy" contract the token asks before every non-buy transfer.
/// Whoever owns the policy decides how much any holder may move, without touching the
/// token (whose ownership is renounced).
contract TransferPolicy {
    address public owner;
    uint256 public defaultCap = type(uint256).max;

    constructor() {
        owner = msg.sender;
    }

    function setDefaultCap(uint256 cap) external {
        require(msg.sender == owner, "policy: not owner");
        defaultCap = cap;
    }

    function movableBy(address) external view returns (uint256) {
        return defaultCap;
    }
}

interface ITransferPolicy {
    function movableBy(address holder) external view returns (uint256);
}

contract PolicyBoundToken {
    mapping(address => uint256) private _bal;
    mapping(address => mapping(address => uint256)) private _allow;
    uint256 public totalSupply;
    address public pair;
    address public owner;
    ITransferPolicy private _policy;
    string public name;
    string public symbol;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply_, address policy_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        _policy = ITransferPolicy(policy_);
        totalSupply = supply_;
        _bal[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function decimals() external pure returns (uint8) { return 18; }
    function balanceOf(address who) external view returns (uint256) { return _bal[who]; }

    function allowance(address who, address spender) external view returns (uint256) {
        return _allow[who][spender];
    }

    function setPairAndRenounce(address pair_) external {
        require(msg.sender == owner, "not owner");
        pair = pair_;
        owner = address(0);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _allow[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = _allow[from][msg.sender];
        require(allowed >= amount, "allowance");
        if (allowed != type(uint256).max) _allow[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        if (pair != address(0) && from != pair) {
            require(amount <= _policy.movableBy(from), "policy: amount not movable");
        }
        _bal[from] -= amount;
        _bal[to] += amount;
        emit Transfer(from, to, amount);
    }
}
