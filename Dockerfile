FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY workers ./workers
RUN pip install . && useradd --create-home hub && mkdir -p /app/var && chown hub /app/var
COPY config ./config
USER hub
EXPOSE 8080
CMD ["hub", "run", "--config", "/app/config/example.yaml", "--host", "0.0.0.0"]
