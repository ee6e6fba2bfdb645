"""bench/dna_search.py still runs (at a tiny size) and prints each figure with its command."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "dna_search.py"


def test_the_benchmark_runs_small_and_prints_its_command(capsys):
    spec = importlib.util.spec_from_file_location("dna_search_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv = ["--families", "3000", "--queries", "5", "--timing-queries", "2", "--bulk", "4"]
    assert module.main(argv) == 0
    out = capsys.readouterr().out
    assert "# command: python bench/dna_search.py --families 3000" in out
    assert out.count("TPR at LR >= 10,000") == 3
