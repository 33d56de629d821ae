"""grannsamverkan: registry and eligibility service for neighbourhood-watch groups."""

__version__ = "0.1.0"
