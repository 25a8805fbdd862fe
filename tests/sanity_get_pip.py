"""Offline stand-in for the get-pip bootstrap script ansible-test downloads from its CI file host,
which is unreachable here. ansible-test runs it inside each fresh venv with pip's install
arguments (e.g. ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``): pip comes
from the interpreter's own ensurepip wheel, then the requested packages from the configured index.
"""

import subprocess
import sys

ARGS = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]

# In a child process: ensurepip points PIP_CONFIG_FILE at /dev/null in its own environment, and
# the second pip below must read the machine's pip configuration (index, CA bundle).
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + ARGS)
