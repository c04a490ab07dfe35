import sys

from benchmarks.mle.cli import main

sys.exit(main())
