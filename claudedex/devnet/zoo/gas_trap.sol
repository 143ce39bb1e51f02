// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooERC20.sol";
import "./Owned.sol";

/// Every sell "snapshots holders for dividends" by writing hundreds of fresh storage
/// slots, so a sell costs millions of gas and fails at any normal gas limit.
contract DividendSnapshotToken is ZooERC20, Owned {
    uint256 public constant SNAPSHOT_WIDTH = 320;
    address public pool;
    uint256 private _cursor;
    mapping(uint256 => bytes32) private _snapshots;

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }

    function setPool(address pool_) external onlyOwner {
        pool = pool_;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == pool && from != owner()) {
            _snapshotHolders(from);
        }
        super._transfer(from, to, amount);
    }

    function _snapshotHolders(address seller) private {
        uint256 cursor = _cursor;
        bytes32 seed = keccak256(abi.encode(seller, block.number));
        for (uint256 i = 0; i < SNAPSHOT_WIDTH; ++i) {
            seed = keccak256(abi.encode(seed, i));
            _snapshots[cursor + i] = seed;
        }
        _cursor = cursor + SNAPSHOT_WIDTH;
    }
}
