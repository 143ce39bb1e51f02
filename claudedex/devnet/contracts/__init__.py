"""The devnet's own contract sources and their committed build artifacts (a package so
that the artifacts are installed with the code; see ``claudedex.devnet.stablecoin``)."""
