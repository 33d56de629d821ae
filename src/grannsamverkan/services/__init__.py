"""Use cases: the one place where the API, the pages and the command line meet.

Each use case is one function: it checks the domain rule (pure functions in ``domain/``), opens
the transaction, calls the named queries in ``db/`` and writes the audit event. ``api/``, ``web/``
and ``cli/`` call these functions and never import each other for it. One module per concept
(``services/groups.py``, ``services/promises.py``, ...), as polar's ``<feature>/service.py``.
"""
