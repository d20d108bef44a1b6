"""Database operations, one module per resource.

Every function takes the session first and everything else by keyword, so a call reads like a
sentence: `get_task(session, task_id=3, viewer=user)`. They flush but never commit; the caller
(a route, a command) decides when the unit of work ends.
"""
