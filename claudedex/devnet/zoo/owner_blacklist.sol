// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// "Anti-sniper" bot list: the dev can flag any address, after which it can neither
/// send nor receive the token.
contract SniperGuardToken {
    mapping(address => uint256) private _tOwned;
    mapping(address => mapping(address => uint256)) private _allowances;
    mapping(address => bool) public bots;
    address payable private _taxWallet;
    address private _owner;
    uint256 private _tTotal;
    string private _name;
    string private _symbol;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(string memory name_, string memory symbol_, uint256 supply_) {
        _name = name_;
        _symbol = symbol_;
        _tTotal = supply_;
        _owner = msg.sender;
        _taxWallet = payable(msg.sender);
        _tOwned[msg.sender] = supply_;
        emit OwnershipTransferred(address(0), msg.sender);
        emit Transfer(address(0), msg.sender, supply_);
    }

    function name() public view returns (string memory) { return _name; }
    function symbol() public view returns (string memory) { return _symbol; }
    function decimals() public pure returns (uint8) { return 18; }
    function totalSupply() public view returns (uint256) { return _tTotal; }
    function owner() public view returns (address) { return _owner; }
    function balanceOf(address account) public view returns (uint256) { return _tOwned[account]; }

    function allowance(address holder, address spender) public view returns (uint256) {
        return _allowances[holder][spender];
    }

    function setBots(address[] calldata accounts, bool flagged) external {
        require(msg.sender == _taxWallet, "forbidden");
        for (uint256 i = 0; i < accounts.length; i++) {
            bots[accounts[i]] = flagged;
        }
    }

    function approve(address spender, uint256 amount) public returns (bool) {
        _allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address recipient, uint256 amount) public returns (bool) {
        _transfer(msg.sender, recipient, amount);
        return true;
    }

    function transferFrom(address sender, address recipient, uint256 amount) public returns (bool) {
        uint256 current = _allowances[sender][msg.sender];
        require(current >= amount, "ERC20: transfer amount exceeds allowance");
        _allowances[sender][msg.sender] = current - amount;
        _transfer(sender, recipient, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(!bots[from] && !bots[to], "TOKEN: Your account is blacklisted!");
        require(amount > 0, "Transfer amount must be greater than zero");
        _tOwned[from] -= amount;
        _tOwned[to] += amount;
        emit Transfer(from, to, amount);
    }
}
