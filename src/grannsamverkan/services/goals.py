"""Use cases around the yearly goals that the API, the pages and the command line share.

The goals themselves live in ``db/goals.py`` (queries) and ``domain/goals.py`` (counting rules);
every goal is also a count promise (migration 0009), so the promise check sees it too. The day
goals are judged at by default is ``domain.calendar.today_in_sweden`` (re-exported here).
"""

from __future__ import annotations

from grannsamverkan.domain.calendar import STOCKHOLM, today_in_sweden

__all__ = ["STOCKHOLM", "today_in_sweden"]
