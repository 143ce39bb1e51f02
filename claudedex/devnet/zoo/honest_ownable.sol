// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// An ordinary Ownable token. The owner can only edit cosmetic metadata: no mint,
/// no fees, no pause, no blacklist.
contract CommunityToken is ZooERC20, Owned {
    string public website;

    event WebsiteChanged(string website);

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function setWebsite(string calldata website_) external onlyOwner {
        website = website_;
        emit WebsiteChanged(website_);
    }
}
