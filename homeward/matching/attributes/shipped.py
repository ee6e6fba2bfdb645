"""The shipped attribute model: trained on a seeded synthetic world with its truth as the
labelled pairs (no labelled reunions of real people exist offline). Retrain with
`python -m homeward.matching.attributes.shipped [OUT.json]` once real confirmed reunions
are available, passing them as labels to `AttributeModel.train`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from homeward.matching.attributes.model import SHIPPED_MODEL, AttributeModel
from homeward.matching.attributes.records import feature_row, parse_found, parse_missing

TRAINING_WORLD = {"n_missing": 8000, "n_found": 2000, "n_true": 800, "seed": 2024}
# The training world's intake copies 3% of names with a look-alike character, so that the
# look-alike level (形近字) is learnt rather than left at weight 0.
TRAINING_LOOKALIKE = 0.03


def train_shipped() -> AttributeModel:
    """Train on the world `TRAINING_WORLD` describes (deterministic up to Splink's EM)."""
    from homeward.matching.world import Noise, WorldConfig, build_world

    noise = Noise(lookalike=TRAINING_LOOKALIKE)
    world = build_world(WorldConfig(**TRAINING_WORLD, faces=False, dna=False, noise=noise))
    found = [feature_row(parse_found(r)) for r in world.found]
    missing = [feature_row(parse_missing(r)) for r in world.missing]
    model = AttributeModel.train(found, missing, labels=sorted(world.truth.items()), seed=1)
    model.meta["training_world"] = {**TRAINING_WORLD, "lookalike": TRAINING_LOOKALIKE}
    return model


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED_MODEL
    train_shipped().save(target)
    print(f"wrote {target}")
