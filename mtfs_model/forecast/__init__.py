"""Forecast evaluation: outturns as data, back-tests, re-forecasts from actuals and
calibration of the risk inputs from recorded errors.
"""
