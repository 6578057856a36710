"""Budget risk: the vectorised Monte Carlo.

The risk inputs' schema (:mod:`.schema`), the plan of random inputs (:mod:`.plan`), the
draws (:mod:`.draws`), ``simulate`` (:mod:`.simulate`), trajectories (:mod:`.paths`) and
the sensitivity ranking (:mod:`.sensitivity`).
"""
