// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Honest "holder rewards" token (reflection): every transfer pays a 2 % fee that is
/// shared by all holders in proportion to what they hold, the sender included. Holdings
/// are kept in reflected units; a holder's balance is its units divided by the current
/// rate, and the fee shrinks the reflected total, so every balance grows a little. Nothing
/// is minted and nothing is hidden: the fee is fixed in the code and the owner, once
/// renounced, has no power at all.
contract HolderRewardsToken {
    uint256 public constant REWARD_BPS = 200;

    string private _name;
    string private _symbol;
    uint256 private immutable _supply;
    uint256 private _reflectedTotal;
    uint256 public rewardsPaid;
    address private _owner;

    mapping(address => uint256) private _units;
    mapping(address => mapping(address => uint256)) private _allowed;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(string memory name_, string memory symbol_, uint256 supply_) {
        _name = name_;
        _symbol = symbol_;
        _supply = supply_;
        uint256 most = type(uint256).max;
        _reflectedTotal = most - (most % supply_);
        _units[msg.sender] = _reflectedTotal;
        _owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        emit Transfer(address(0), msg.sender, supply_);
    }

    function name() external view returns (string memory) { return _name; }
    function symbol() external view returns (string memory) { return _symbol; }
    function decimals() external pure returns (uint8) { return 18; }
    function totalSupply() external view returns (uint256) { return _supply; }
    function owner() external view returns (address) { return _owner; }

    function renounceOwnership() external {
        require(msg.sender == _owner, "not the owner");
        emit OwnershipTransferred(_owner, address(0));
        _owner = address(0);
    }

    function _rate() private view returns (uint256) {
        return _reflectedTotal / _supply;
    }

    function balanceOf(address account) public view returns (uint256) {
        return _units[account] / _rate();
    }

    function allowance(address holder, address spender) external view returns (uint256) {
        return _allowed[holder][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _allowed[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _send(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = _allowed[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "allowance too low");
            _allowed[from][msg.sender] = allowed - amount;
        }
        _send(from, to, amount);
        return true;
    }

    function _send(address from, address to, uint256 amount) private {
        require(from != address(0) && to != address(0), "zero address");
        uint256 rate = _rate();
        uint256 reward = amount * REWARD_BPS / 10_000;
        uint256 units = amount * rate;
        uint256 rewardUnits = reward * rate;
        require(_units[from] >= units, "balance too low");
        _units[from] -= units;
        _units[to] += units - rewardUnits;
        _reflectedTotal -= rewardUnits; // every holder's share of the total grows
        rewardsPaid += reward;
        emit Transfer(from, to, amount - reward);
    }
}
