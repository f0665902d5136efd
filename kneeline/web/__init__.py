"""kneeline's web app: FastAPI with server-rendered pages, a thin layer over the library.

Create it with :func:`kneeline.web.app.create_app`; ``kneeline serve`` runs it with uvicorn.
"""
