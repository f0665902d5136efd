"""The administrator's page: accounts (no health data)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from kneeline.store.models import User
from kneeline.web.deps import AdminDep, SessionDep
from kneeline.web.render import page

router = APIRouter()


@router.get("/admin")
def accounts(request: Request, auth: AdminDep, session: SessionDep) -> Response:
    """Every account with its role and last activity."""
    users = session.scalars(select(User).order_by(User.id)).all()
    return page(request, "admin.html", users=users)
