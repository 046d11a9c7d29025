"""``hotline console``: the FastAPI app (pages, JSON API, Open311) and its server."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from router.console import api, web
from router.console.auth import session_of
from router.console.context import Console
from router.console.open311 import open311_router
from router.departments import Catalogue
from router.exceptions import LoginRequiredError
from router.settings import Settings

log = logging.getLogger(__name__)

#: Sent with every response: no inline script, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_DOCS_CSP = (  # FastAPI's Swagger page loads its script and style from a CDN
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com"
)


def create_app(console: Console) -> FastAPI:
    """The console app over ``console``'s stores and producer."""
    app = FastAPI(
        title="12345 hotline console API",
        summary="Department systems' queue, tickets and actions; Open311 GeoReport v2.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.console = console
    app.include_router(web.router)
    app.include_router(api.router)
    app.include_router(
        open311_router(
            settings=console.settings,
            catalogue=console.catalogue,
            read_model=console.read_model,
            accounts=console.accounts,
            producer=console.producer,
            limiter=console.limiter,
        )
    )
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.path == "/api/docs":
            response.headers["Content-Security-Policy"] = _DOCS_CSP
        return response

    @app.exception_handler(LoginRequiredError)
    async def to_login(request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/open311/"):  # GeoReport's error list
            return JSONResponse(
                [{"code": exc.status_code, "description": str(exc.detail)}],
                status_code=exc.status_code,
                headers=exc.headers,
            )
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return web.TEMPLATES.TemplateResponse(
            request,
            "error.html",
            {"session": session_of(request), "status": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=400)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        console.redis.ping()
        return {"status": "ok"}

    return app


def serve(settings: Settings, *, host: str, port: int) -> None:
    """Run the console until interrupted."""
    console = Console.from_settings(settings, catalogue=Catalogue.load())
    try:
        uvicorn.run(
            create_app(console),
            host=host,
            port=port,
            log_level=settings.log_level,
            access_log=False,  # URLs hold ticket ids only, but keep the log to what matters
            proxy_headers=True,
        )
    finally:
        console.close()
