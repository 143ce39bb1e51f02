"""Discovery: new pairs (chain and DexScreener), blocks and prices, mempool early warnings,
whales and volume, and social sentiment."""
