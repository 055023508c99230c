"""`nst-tf serve`: a local web app (FastAPI) over the fast path and the Gatys optimisation.

Modules: `app` (routes), `schemas` (the API's JSON), `jobs` (the optimisation queue), `uploads`
(upload checks, in-memory stores), `engines` (the calls into the library), `static/` (the page).
"""
