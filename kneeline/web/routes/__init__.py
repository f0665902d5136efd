"""The web app's routes, one module per area; each exposes ``router`` (listed in :data:`MODULES`)."""

MODULES: tuple[str, ...] = (
    "kneeline.web.routes.auth", "kneeline.web.routes.patient", "kneeline.web.routes.analyses",
    "kneeline.web.routes.program", "kneeline.web.routes.clinic", "kneeline.web.routes.account",
    "kneeline.web.routes.admin", "kneeline.web.routes.coach", "kneeline.web.routes.setup",
    "kneeline.web.routes.reports", "kneeline.web.routes.links", "kneeline.web.routes.handout",
    "kneeline.web.routes.exercises",
)
