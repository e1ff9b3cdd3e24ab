"""Dependencies of atendimento's endpoints."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.kit.sessions import session_dependency

SessionDep = Annotated[AsyncSession, Depends(session_dependency("atendimento"), scope="function")]
