"""python3 -m wasmgen_torch — the command line (cli.py; spawned ranks import their entry from there)."""
import sys

from .cli import main

sys.exit(main())
