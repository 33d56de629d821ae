"""The route table: every controller of the API, in one list."""

from __future__ import annotations

from grannsamverkan.api.system import AuditController, KommunController

CONTROLLERS: list[type] = [
    KommunController,
    AuditController,
]
