#!/usr/bin/env bash
# Makes sure this machine has what augment needs: libvips (and, with
# "test", Chromium for the browser tests and a MinIO server for the S3
# storage tests; with "bench", Flask and Pillow for the original app the
# benchmark compares against), and running Redis and PostgreSQL.
# Safe to run again; it changes nothing that is already in place.
set -euo pipefail

need_pkgs=()
pkg-config --exists vips 2>/dev/null || need_pkgs+=(libvips-dev)
command -v pkg-config >/dev/null || need_pkgs+=(pkg-config)
if [[ "${1:-}" == "test" ]] && ! command -v chromium >/dev/null; then need_pkgs+=(chromium); fi
if [[ "${1:-}" == "bench" ]] && ! /usr/bin/python3 -c 'import flask, PIL' 2>/dev/null; then need_pkgs+=(python3-flask python3-pil); fi
if ((${#need_pkgs[@]})); then
  echo "installing ${need_pkgs[*]}…"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# MinIO, built from the Go module proxy at a pinned version (a few minutes the
# first time); the S3 conformance tests start it on a loopback port.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
if [[ "${1:-}" == "test" ]] && ! command -v minio >/dev/null && [[ ! -x "$(go env GOPATH)/bin/minio" ]]; then
  echo "building MinIO $MINIO_VERSION…"
  (cd /tmp && go install "github.com/minio/minio@$MINIO_VERSION")
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis…"
  if ! command -v redis-server >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/augment.log
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL…"
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi

for i in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q && exit 0
  sleep 1
done
echo "Redis or PostgreSQL did not come up on 127.0.0.1" >&2
exit 1
