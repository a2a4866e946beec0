# LiftCoach: the Streamlit app in one image. Build and run:
#   docker build -t liftcoach .
#   docker run -p 8501:8501 -v liftcoach-data:/data liftcoach
# Sessions live in the /data volume (SQLite); set DATABASE_URL=postgresql+psycopg://... to use
# PostgreSQL instead (see coach/core/settings.py for every setting; compose.yaml runs both).
# Sign-in is on: the first visit creates the admin account. The schema is created and upgraded
# by Alembic on start (alembic/, alembic.ini are copied with the app). LIFTCOACH_SINGLE_USER=1
# is refused here, because the container listens on every interface.
#
# GPU hosts: the default image already uses an NVIDIA GPU when run with `docker run --gpus all`
# (NVIDIA Container Toolkit), because the registry build of torch 2.13.0 brings its own CUDA
# libraries; the host only needs a recent driver. To build on a CUDA runtime base image instead:
#   docker build --build-arg BASE_IMAGE=<cuda-runtime-image> -t liftcoach:gpu .
# where the image is Debian or Ubuntu (apt-get), has Python 3.11 as `python` with pip, and has
# no torch or torch companion packages preinstalled (pip check and transformers rely on that).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    LIFTCOACH_DATA=/data

# mediapipe pulls opencv-contrib-python, whose cv2 links libGL and glib.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Exactly the Makefile's install: torch first, then the rest under the same constraints.
COPY requirements.txt constraints.txt ./
RUN python -m pip install torch==2.13.0
RUN python -m pip install -c constraints.txt -r requirements.txt

RUN useradd --create-home --uid 10001 --user-group liftcoach \
    && mkdir -p /data \
    && chown liftcoach:liftcoach /data
COPY --chown=liftcoach:liftcoach . .

USER liftcoach
VOLUME ["/data"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"

# XSRF protection stays on (Streamlit's default, also set in .streamlit/config.toml).
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", \
     "--server.enableXsrfProtection", "true"]
