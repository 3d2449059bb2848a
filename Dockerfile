# Slim production image; migrations are a separate step from serving:
#   docker build -t presseschau .
#   docker run --rm -v presseschau:/data presseschau migrate
#   docker run --rm -v presseschau:/data presseschau users create anna --role admin
#   docker run -p 8000:8000 -v presseschau:/data presseschau
# For PostgreSQL set PRESSESCHAU_DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DB.
# A bind mount instead of the volume must be writable by the image's user (uid 10001).
FROM python:3.11-slim AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
# The project lives in /srv in both stages: the migrations (alembic/, alembic.ini) are found
# beside the app package.
WORKDIR /srv
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
# PORT is where `serve` listens and what the health check asks: change it, not --port.
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PORT=8000 \
    PRESSESCHAU_DATABASE_URL=sqlite:////data/presseschau.sqlite3
RUN useradd --system --uid 10001 --no-create-home presseschau \
    && mkdir /data && chown presseschau /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv /srv
WORKDIR /srv
USER presseschau
VOLUME ["/data"]
EXPOSE 8000
# Ready, not merely up: the database answers and is at the latest migration (`serve` refuses
# to start otherwise, and /readyz turns 503 when the database goes away later).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["presseschau"]
CMD ["serve", "--host", "0.0.0.0"]
