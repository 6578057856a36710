"""What-if tools for a notebook: goal seek and data tables (:mod:`.goalseek`) and
sliders (:mod:`.widgets`).
"""
