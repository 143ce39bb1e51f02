// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A plain fixed-supply token. The deployer renounces ownership and burns the LP
/// tokens after seeding liquidity, so nobody can change anything afterwards.
contract PlainToken {
    string private _name;
    string private _symbol;
    uint256 private _supply;
    address private _owner;

    mapping(address => uint256) private _held;
    mapping(address => mapping(address => uint256)) private _allowed;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(string memory name_, string memory symbol_, uint256 supply_) {
        _name = name_;
        _symbol = symbol_;
        _supply = supply_;
        _held[msg.sender] = supply_;
        _owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        emit Transfer(address(0), msg.sender, supply_);
    }

    function name() external view returns (string memory) { return _name; }
    function symbol() external view returns (string memory) { return _symbol; }
    function decimals() external pure returns (uint8) { return 18; }
    function totalSupply() external view returns (uint256) { return _supply; }
    function owner() external view returns (address) { return _owner; }
    function balanceOf(address who) external view returns (uint256) { return _held[who]; }

    function allowance(address who, address spender) external view returns (uint256) {
        return _allowed[who][spender];
    }

    function renounceOwnership() external {
        require(msg.sender == _owner, "not owner");
        emit OwnershipTransferred(_owner, address(0));
        _owner = address(0);
    }

    function approve(address spender, uint256 value) external returns (bool) {
        _allowed[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _send(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _allowed[from][msg.sender] -= value;
        _send(from, to, value);
        return true;
    }

    function _send(address from, address to, uint256 value) private {
        require(to != address(0), "zero to");
        _held[from] -= value;
        _held[to] += value;
        emit Transfer(from, to, value);
    }
}
