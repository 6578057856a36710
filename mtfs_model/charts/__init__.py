"""Charts (matplotlib, drawn off-screen): the budget's charts (:mod:`.budget`), the risk fans
and tornado (:mod:`.risk`) and the back-test fans (:mod:`.backtest`).
"""
