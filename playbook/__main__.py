"""``python -m playbook``: see ``playbook.cli``."""

import sys

from playbook.cli import main

sys.exit(main())
