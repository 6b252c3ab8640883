"""What the command line accepts: the limits that keep every command within seconds to minutes (stated in
``twolayer --help``), read by the parser and by the handlers alike."""

#: Limits that keep every command within seconds to minutes (stated in --help).
MAX_SAMPLES = 5000
MAX_PARAMETERS = 200
#: `rank` reaches the field's widths ([OE]/[LLR]: width 300, d = 5 with a bias): float64 tier and float64 estimate
MAX_RANK_PARAMETERS = 2100
MAX_WEIGHT_VECTORS = 60
MAX_STARTS = 200
MAX_STEPS = 10_000_000
MAX_RUNS = 100_000
MAX_WORKERS = 64
#: the largest seed (numpy's generators take any non-negative int; one range for every subcommand)
MAX_SEED = 2**63 - 1
