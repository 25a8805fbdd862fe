"""Adds up pytest's closing lines ("N passed, M failed in Xs") of the given logs into one line
'tests: N passed, M failed' for CI."""

import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if re.search(r"\d+ (passed|failed)", line)]
    if lines:
        last = lines[-1]
        passed += sum(int(n) for n in re.findall(r"(\d+) passed", last))
        failed += sum(int(n) for n in re.findall(r"(\d+) failed", last))
print("tests: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or not passed else 0)
