"""Run every benchmark (`make bench`). Measurements, not tests: nothing here fails on time."""
import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
BENCHMARKS = ["jacobian", "separation", "flow", "scale", "tiers", "experiments", "protocol_oe"]

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))  # the benchmark modules live beside this script, not in the package
    for name in BENCHMARKS:
        importlib.import_module(name).run()
        print()
