from grannsamverkan.cli import entry

entry()
