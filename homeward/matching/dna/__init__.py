"""DNA kinship engine: allele frequencies, profile checks, pedigree likelihood ratios,
database search, simulation and power advice. Pure Python + numpy, no Django."""
