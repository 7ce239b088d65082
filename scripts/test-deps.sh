#!/usr/bin/env bash
# Installs what the end-to-end tests run for real, from Debian's packages:
# Prometheus, Alertmanager and node_exporter; dockerd, sshd and a static
# busybox (the collectors' tests make an image from it without a
# registry); the PostgreSQL server, of which the tests start clusters of
# their own (internal/testutil/realpg); the time zone database and a CJK
# font for the chart renderer's tests. Without them (and not as root)
# those tests skip locally; under CI=true they fail instead.
set -euo pipefail

need=()
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
for p in docker.io:/usr/sbin/dockerd openssh-server:/usr/sbin/sshd busybox-static:/bin/busybox systemd:/usr/bin/systemd-analyze util-linux:/usr/bin/setsid ca-certificates:/etc/ssl/certs/ca-certificates.crt tzdata:/usr/share/zoneinfo/Europe/Berlin fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do [ -e "${p#*:}" ] || need+=("${p%%:*}"); done
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing ${need[*]}; install them (Debian: apt-get install ${need[*]}) or the end-to-end tests skip" >&2
  exit 0
fi
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [[ " ${need[*]} " == *" postgresql "* ]]; then
  # No system cluster: without one the postgresql service has nothing to
  # start, and the tests make their own (the drop-in is how Debian's
  # postgresql-common is told; a directory, so no conffile prompt).
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/herald-tests.conf
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
