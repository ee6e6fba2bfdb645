"""The matching engine: DNA kinship, face, attribute linkage and their fusion.

Nothing below this package imports Django: it takes and returns plain data and
numpy arrays, so the batch matcher, the benchmarks and the web app share it.
"""
