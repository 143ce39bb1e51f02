"""The local devnet: anvil, official Uniswap V2, a zoo of tokens, and a simulated market.

Kept import-light on purpose (the CLI and the zoo import submodules directly):
- ``anvil``: start/stop one anvil node (``AnvilProcess``), its funded dev accounts
- ``artifacts`` / ``uniswap`` / ``deployment``: WETH9 + Uniswap V2 factory/Router02 twice
  (venues ``uniswap`` and ``sushiswap``), init-code hash check, integer getAmountOut
- ``txs``: locally signed transactions with a local nonce (``Sender``)
- ``testing``: ``start_devnet_chain()`` for tests in any area
- ``launches`` / ``traders`` / ``tokens`` / ``market`` / ``sim``: the seeded market simulator
- ``pricebook`` / ``http_server`` / ``social``: DexScreener-shaped JSON and a social feed
- ``labels``: ground truth (labels.jsonl) for scorers; never read by safety checks
- ``manifest`` / ``service`` / ``launcher``: ``devnet up`` and the engine's way to reach it
- ``zoo``: the token families (owned separately)
"""
