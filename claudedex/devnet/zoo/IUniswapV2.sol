// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IUniswapV2FactoryLite {
    function createPair(address tokenA, address tokenB) external returns (address pair);
}

interface IUniswapV2RouterLite {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}
