// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface ILpToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// A liquidity "locker": LP tokens deposited with an unlock time. With ``ownerOverride`` its
/// owner may withdraw at any time ("emergency withdrawal"), which makes the lock a promise
/// only; without it the lock is real and nobody can withdraw before the unlock time.
contract LiquidityLocker {
    struct Lock {
        address lpToken;
        uint256 amount;
        uint256 unlockAt;
    }

    address public owner;
    bool public immutable ownerOverride;
    Lock[] public locks;

    event Locked(uint256 indexed id, address lpToken, uint256 amount, uint256 unlockAt);
    event Withdrawn(uint256 indexed id, address to, uint256 amount);

    constructor(bool ownerOverride_) {
        owner = msg.sender;
        ownerOverride = ownerOverride_;
    }

    function lock(address lpToken, uint256 amount, uint256 unlockAt) external returns (uint256) {
        require(msg.sender == owner, "locker: not owner");
        require(ILpToken(lpToken).transferFrom(msg.sender, address(this), amount), "pull");
        locks.push(Lock(lpToken, amount, unlockAt));
        emit Locked(locks.length - 1, lpToken, amount, unlockAt);
        return locks.length - 1;
    }

    function withdraw(uint256 id) external {
        require(msg.sender == owner, "locker: not owner");
        Lock storage l = locks[id];
        require(block.timestamp >= l.unlockAt || ownerOverride, "locker: still locked");
        uint256 amount = l.amount;
        require(amount > 0, "locker: empty");
        l.amount = 0;
        require(ILpToken(l.lpToken).transfer(msg.sender, amount), "push");
        emit Withdrawn(id, msg.sender, amount);
    }
}

import "./ZooERC20.sol";
import "./Owned.sol";

/// The token the locker family launches: plain and renounced, advertising its "LP lock".
contract LockedLiquidityToken is ZooERC20, Owned {
    string public constant liquidityPolicy = "LP locked for 365 days";

    constructor(string memory name_, string memory symbol_, uint256 supply_)
        ZooERC20(name_, symbol_)
    {
        _mint(msg.sender, supply_);
    }
}
