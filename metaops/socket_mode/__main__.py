"""`python -m metaops.socket_mode`: the Procfile's `socket` line."""

import sys

from metaops.socket_mode.process import main

sys.exit(main())
