// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// Small buy fee, crushing sell fee (percent units) that goes to the marketing wallet.
contract MarketingFeeToken is ZooERC20, Owned {
    uint256 public buyFee;
    uint256 public sellFee;
    address public marketingWallet;
    mapping(address => bool) public automatedMarketMakerPairs;
    mapping(address => bool) private _feeExempt;

    constructor(string memory name_, string memory symbol_, uint256 supply_, uint256 sellFee_)
        ZooERC20(name_, symbol_)
    {
        require(sellFee_ <= 100, "fee");
        buyFee = 2;
        sellFee = sellFee_;
        marketingWallet = msg.sender;
        _feeExempt[msg.sender] = true;
        _feeExempt[address(this)] = true;
        _mint(msg.sender, supply_);
    }

    function setAutomatedMarketMakerPair(address pair, bool value) external onlyOwner {
        automatedMarketMakerPairs[pair] = value;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        uint256 fee;
        if (!_feeExempt[from] && !_feeExempt[to]) {
            if (automatedMarketMakerPairs[to]) {
                fee = (amount * sellFee) / 100;
            } else if (automatedMarketMakerPairs[from]) {
                fee = (amount * buyFee) / 100;
            }
        }
        if (fee > 0) {
            _move(from, marketingWallet, fee);
        }
        super._transfer(from, to, amount - fee);
    }
}
