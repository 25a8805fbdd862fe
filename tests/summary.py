"""Adds up pytest's closing lines ("N passed, M failed in Xs") of the given logs into one line
'tests: N passed, M failed' for CI. A log that is missing (its stage did not run: LANES without
the integration tests) is named and counts nothing."""

import os
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        print("%s: not run" % path)
        continue
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if re.search(r"\d+ (passed|failed)", line)]
    if lines:
        last = lines[-1]
        passed += sum(int(n) for n in re.findall(r"(\d+) passed", last))
        failed += sum(int(n) for n in re.findall(r"(\d+) failed", last))
print("tests: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or not passed else 0)
