# The project installed into the official Airflow image (same Python and Airflow as requirements.lock).
FROM apache/airflow:3.3.2-python3.11

USER airflow
WORKDIR /opt/newsarchive
COPY --chown=airflow:root requirements.lock pyproject.toml README.md ./
# Airflow itself is already in the image; install the rest of the lock (hash-checked) plus the project.
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY --chown=airflow:root schemas ./schemas
COPY --chown=airflow:root pipelines ./pipelines
COPY --chown=airflow:root spiders ./spiders
COPY --chown=airflow:root newsarchive ./newsarchive
COPY --chown=airflow:root config ./config
RUN pip install --no-cache-dir --no-deps .
COPY --chown=airflow:root dags /opt/airflow/dags
ENV NEWSARCHIVE_CONFIG=/opt/newsarchive/config/sources.yaml
WORKDIR /opt/airflow
