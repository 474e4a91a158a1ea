# syntax=docker/dockerfile:1.7
# Motorlog's edge: the staff web app built, served by nginx with the project's own configuration
# (deploy/nginx, rendered at start so the services' addresses come from the environment).
#
#   docker build -f deploy/docker/web.Dockerfile -t motorlog-web .
#   docker run -e AUTH_UPSTREAM=auth:8081 -e COMMAND_UPSTREAM=command-api:8082 \
#              -e QUERY_UPSTREAM=query-api:8083 -p 8080:8080 motorlog-web

ARG NODE_VERSION=20
ARG NGINX_VERSION=1.27

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src/web
# The lock alone first, so a change to the app's code reuses the installed packages.
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# The generated API types are committed (make web-schemas), so no Rust binary is needed here.
COPY web/ ./
RUN npm run -s build

FROM nginx:${NGINX_VERSION}-bookworm AS runtime
# render.sh needs bash and perl (perl-base is part of every Debian image) and /etc/nginx/mime.types;
# curl is for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/nginx/ /opt/motorlog/nginx/
COPY --from=build /src/web/dist/ /usr/share/motorlog/web/
# nginx writes its pid, temporary files and logs inside the rendered folder; the logs go to the
# container's output.
RUN mkdir -p /run/motorlog-nginx/logs /run/motorlog-nginx/tmp \
 && ln -sf /dev/stdout /run/motorlog-nginx/logs/access.log \
 && ln -sf /dev/stderr /run/motorlog-nginx/logs/error.log \
 && chown -R nginx:nginx /run/motorlog-nginx
ENV LISTEN=8080 \
    SERVER_NAME=localhost \
    WEB_ROOT=/usr/share/motorlog/web \
    AUTH_UPSTREAM=auth:8081 \
    COMMAND_UPSTREAM=command-api:8082 \
    QUERY_UPSTREAM=query-api:8083
USER nginx
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS -o /dev/null http://127.0.0.1:8080/ || exit 1
# TLS: mount the certificate and key and set LISTEN="8443 ssl", TLS_CERT and TLS_KEY.
ENTRYPOINT ["bash", "/opt/motorlog/nginx/render.sh", "/run/motorlog-nginx", "--run"]
