// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Placed by state override at a fresh address (never deployed): buys, transfers and sells
/// a token through a Uniswap V2 router and reports what really happened. Every external
/// step runs as a low-level call so that a reverting token never aborts the probe itself.
interface IRouterLite {
    function getAmountsOut(uint256 amountIn, address[] calldata path)
        external view returns (uint256[] memory amounts);
}

contract Prober {
    // Results: uint256[12]
    // [0] ok, [1] expectedOut, [2] receivedOut, [3] gasUsed, [4] balanceAfter,
    // [5] senderReportedDelta, [6] receiverReportedDelta, [7] amount, [8] totalSupply,
    // [9] pairTokenBefore, [10] pairTokenAfter, [11] reserved

    function _bal(address token, address who) internal view returns (uint256 v) {
        (bool ok, bytes memory out) = token.staticcall(abi.encodeWithSelector(0x70a08231, who));
        if (ok && out.length >= 32) v = abi.decode(out, (uint256));
    }

    function _supply(address token) internal view returns (uint256 v) {
        (bool ok, bytes memory out) = token.staticcall(abi.encodeWithSelector(0x18160ddd));
        if (ok && out.length >= 32) v = abi.decode(out, (uint256));
    }

    function _quote(address router, uint256 amountIn, address a, address b)
        internal view returns (uint256)
    {
        address[] memory path = new address[](2);
        path[0] = a;
        path[1] = b;
        try IRouterLite(router).getAmountsOut(amountIn, path) returns (uint256[] memory am) {
            return am[1];
        } catch {
            return 0;
        }
    }

    function buy(address router, address weth, address token, address pair, uint256 amountIn,
                 uint256 gasLimit) external returns (uint256[12] memory r) {
        address[] memory path = new address[](2);
        path[0] = weth;
        path[1] = token;
        r[7] = amountIn;
        r[1] = _quote(router, amountIn, weth, token);
        uint256 before = _bal(token, address(this));
        r[9] = _bal(token, pair);
        uint256 g = gasleft();
        // swapExactETHForTokensSupportingFeeOnTransferTokens(uint,address[],address,uint)
        (bool ok,) = router.call{value: amountIn, gas: gasLimit}(
            abi.encodeWithSelector(0xb6f9de95, 0, path, address(this), block.timestamp + 600));
        r[3] = g - gasleft();
        r[0] = ok ? 1 : 0;
        r[4] = _bal(token, address(this));
        r[2] = r[4] > before ? r[4] - before : 0;
        r[10] = _bal(token, pair);
        r[8] = _supply(token);
    }

    /// Sell `bps` of the current balance (10000 = everything) for WETH.
    function sell(address router, address weth, address token, address pair, uint256 bps,
                  uint256 gasLimit) external returns (uint256[12] memory r) {
        uint256 balance = _bal(token, address(this));
        uint256 amount = balance * bps / 10000;
        r[7] = amount;
        if (amount == 0) return r;
        (bool approved,) = token.call(abi.encodeWithSelector(0x095ea7b3, router, type(uint256).max));
        r[11] = approved ? 1 : 0;
        address[] memory path = new address[](2);
        path[0] = token;
        path[1] = weth;
        r[1] = _quote(router, amount, token, weth);
        uint256 wethBefore = _bal(weth, address(this));
        r[9] = _bal(token, pair);
        uint256 g = gasleft();
        // swapExactTokensForTokensSupportingFeeOnTransferTokens(uint,uint,address[],address,uint)
        (bool ok,) = router.call{gas: gasLimit}(
            abi.encodeWithSelector(0x5c11d795, amount, 0, path, address(this),
                                   block.timestamp + 600));
        r[3] = g - gasleft();
        r[0] = ok ? 1 : 0;
        r[2] = _bal(weth, address(this)) - wethBefore;
        r[4] = _bal(token, address(this));
        r[5] = balance > r[4] ? balance - r[4] : 0;
        r[10] = _bal(token, pair);
        r[6] = r[10] > r[9] ? r[10] - r[9] : 0;
        r[8] = _supply(token);
    }

    /// Transfer `bps` of the balance to `to`; report what each side's balance says moved.
    function send(address token, address to, uint256 bps, uint256 gasLimit)
        external returns (uint256[12] memory r)
    {
        uint256 balance = _bal(token, address(this));
        uint256 amount = balance * bps / 10000;
        r[7] = amount;
        if (amount == 0) return r;
        uint256 toBefore = _bal(token, to);
        uint256 g = gasleft();
        (bool ok, bytes memory out) = token.call{gas: gasLimit}(
            abi.encodeWithSelector(0xa9059cbb, to, amount));
        r[3] = g - gasleft();
        if (ok && out.length >= 32) ok = abi.decode(out, (bool));
        r[0] = ok ? 1 : 0;
        r[4] = _bal(token, address(this));
        r[5] = balance > r[4] ? balance - r[4] : 0;
        uint256 toAfter = _bal(token, to);
        r[6] = toAfter > toBefore ? toAfter - toBefore : 0;
        r[8] = _supply(token);
    }

    /// The whole round trip in one call, for nodes without eth_simulateV1 (eth_call with a
    /// state override). No time can pass in between, so cooldowns are not tested here.
    function roundTrip(address router, address weth, address token, address pair,
                       address fresh, uint256 amountIn, uint256 gasLimit)
        external returns (uint256[12][6] memory r)
    {
        r[0] = this.buy(router, weth, token, pair, amountIn, gasLimit);
        r[1] = this.send(token, fresh, 1000, gasLimit);
        r[2] = Prober(payable(fresh)).sell(router, weth, token, pair, 10000, gasLimit);
        r[3] = this.sell(router, weth, token, pair, 10000, gasLimit);
        r[4] = this.sell(router, weth, token, pair, 1000, gasLimit);
        r[5] = this.sell(router, weth, token, pair, 10000, gasleft() - 100000);
    }

    receive() external payable {}
}
