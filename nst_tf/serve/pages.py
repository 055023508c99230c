"""The web app's pages, all served from the package (nothing is fetched from elsewhere): the
page, its favicon, the in-browser runtime and models (/static/vendor, /static/models; see
nst_tf.serve.site), and the API docs (Swagger UI from the swagger-ui-bundle package, over
/openapi.json). The page and its files are sent cross-origin isolated (the runtime's threads).
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from nst_tf.serve import guards, site

STATIC = site.STATIC


class IsolatedFiles(StaticFiles):
    """Static files sent with the cross-origin isolation headers."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        response.headers.update(site.ISOLATION)
        return response


def add_pages(app: FastAPI) -> None:
    """Adds the page (/, /static), the favicon and the API docs (/docs) to `app`."""
    import swagger_ui_bundle

    models = site.models_folder()
    predictor = site.predictor_path()
    if predictor:  # before the mounts, which would answer first

        @app.get(f"/static/models/{site.PREDICTOR}.tflite", include_in_schema=False)
        def style_predictor():
            return FileResponse(predictor, headers=site.ISOLATION)

    if models:
        app.mount("/static/models", IsolatedFiles(directory=models), name="models")
    app.mount("/static", IsolatedFiles(directory=STATIC), name="static")
    app.mount(
        "/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs"
    )

    @app.get("/", include_in_schema=False)
    def index(request: Request):
        page = FileResponse(os.path.join(STATIC, "index.html"), headers=site.ISOLATION)
        if request.cookies.get(guards.CLIENT_COOKIE) != guards.client_of(request):
            page.headers["Set-Cookie"] = guards.new_client_cookie()  # its share of the stores
        return page

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return FileResponse(os.path.join(STATIC, "favicon.ico"), media_type="image/x-icon")

    @app.get("/docs/openapi.json", include_in_schema=False)
    def docs_schema():
        # The bundle's Swagger UI (4.x) reads OpenAPI 3.0 only; FastAPI writes 3.1, which the
        # 3.0 reader shows well (the full schema stays at /openapi.json).
        return {**app.openapi(), "openapi": "3.0.3"}

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url="/docs/openapi.json",
            title=f"{app.title} · API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/favicon.ico",
            swagger_ui_parameters={"validatorUrl": None},  # no calls to an online validator
        )
