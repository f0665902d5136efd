"""Background jobs: analysing uploaded videos outside the web request.

``base`` defines the :class:`~kneeline.jobs.base.JobQueue` interface (and an in-thread queue),
``pool`` runs jobs in spawned worker processes, ``runner`` is one job from claim to result, and
``playback`` makes the browser-playable ``annotated.webm``; ``ray_queue`` runs jobs as tasks on a
Ray cluster and ``factory`` picks the queue from the ``jobs`` setting (``KNEELINE_JOBS``).  Import
from the submodules; importing this package loads nothing.
"""
