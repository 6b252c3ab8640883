"""The orchestration layer, between numeric and claims: sweeps over sample sizes, seeds and configurations,
resumable tables on disk (locks, torn-row repair, their schema beside them) and Dask scheduling. It computes
nothing of its own: each cell is a call into ``twolayer.numeric``.
"""
