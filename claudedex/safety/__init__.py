"""Safety: judge a token within a block (simulated round trips, bytecode, owner powers,
liquidity, holders, deployer, external APIs) and fold the findings into a RiskReport.

Entry points: ``assess.TokenAssessor`` (one token, any caller) and ``analyzer.SafetyAnalyzer``
(the engine component). Nothing here reads the devnet's ground truth.
"""
