# clasp-relay container image (Debian 12). The build stage runs the same
# scripts as the README and CI (scripts/install-deps.sh, scripts/build.sh
# release), so CI exercises every step of this file except the Docker
# commands themselves. The runtime stage installs exactly the shared
# libraries the binaries load (scripts/runtime-packages.sh) and runs as an
# unprivileged user.
#
#   docker build -t clasp-relay .
#   docker run -p 7330:7330 clasp-relay                  # as relay-server.md says
#   docker run -p 7330:7330 -p 1883:1883 clasp-relay --mqtt-port 1883
#   docker run -v clasp-data:/var/lib/clasp clasp-relay --persist state.db --journal journal.db

FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN bash scripts/install-deps.sh \
 && bash scripts/build.sh release \
 && mkdir -p /out \
 && cp build/release/src/cli/clasp-relay build/release/src/cli/clasp /out/ \
 && strip /out/clasp-relay /out/clasp \
 && bash scripts/runtime-packages.sh /out/clasp-relay /out/clasp > /out/runtime-packages.txt

FROM debian:12-slim
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
# curl serves the HEALTHCHECK.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      $(cat /tmp/runtime-packages.txt) curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/clasp --create-home --shell /usr/sbin/nologin clasp
COPY --from=build /out/clasp-relay /out/clasp /usr/local/bin/

USER clasp
WORKDIR /var/lib/clasp
VOLUME /var/lib/clasp
# /healthz and /readyz for the HEALTHCHECK and orchestrators (relay.md §1.5),
# /metrics for scrapers.
ENV CLASP_HEALTH_PORT=7360
ENV CLASP_METRICS_PORT=9090
# Below `docker stop`'s 10 s grace, so the drain ends and state is flushed
# before a SIGKILL; raise both together (docker stop -t).
ENV CLASP_DRAIN_TIMEOUT=8
# WebSocket, health, metrics. MQTT (1883) and OSC are off unless their flags are given.
EXPOSE 7330/tcp 7360/tcp 9090/tcp
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:7360/healthz || exit 1
ENTRYPOINT ["clasp-relay"]
