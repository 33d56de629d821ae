import sys

from grannsamverkan.cli import main

sys.exit(main())
