FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HUB_CONFIG=/app/config/communities
RUN useradd --create-home hub && mkdir -p /app/var && chown hub /app/var
# Dependencies first, from pyproject.toml alone: a code change rebuilds only the layers below.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY README.md ./
COPY hub ./hub
COPY workers ./workers
RUN pip install --no-deps .
# The example community, for `docker run`; docker-compose.yml mounts ./config/communities over it.
COPY config/communities ./config/communities
USER hub
EXPOSE 8080
# No HEALTHCHECK here: one image runs every role, so each compose service declares its own.
CMD ["hub", "run", "--host", "0.0.0.0"]
