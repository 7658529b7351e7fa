#!/usr/bin/env bash
# Installs Mesa's lavapipe (a Vulkan driver that runs on the CPU) from bookworm-backports, so that
# ONNX Runtime's WebGPU provider runs on any machine. Debian bookworm's own Mesa (22.3) lacks the
# Vulkan features Dawn requires ("shaderUniform*ArrayDynamicIndexing"); 25.x has them.
# Idempotent: does nothing when a backports Mesa (>= 25) is already installed.
set -euo pipefail
MIN_MAJOR=25
installed=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
if [ -n "$installed" ] && [ "${installed%%.*}" -ge "$MIN_MAJOR" ] 2>/dev/null; then
  echo "mesa-vulkan-drivers $installed already installed"
  exit 0
fi
list=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # The same mirror as the machine's bookworm entry (deb822 .sources or one-line .list).
  mirror=$(grep -rhs -A3 '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -B1 -E '^Suites:.*\bbookworm\b' | sed -n 's/^URIs: *//p' | head -1)
  if [ -z "$mirror" ]; then
    mirror=$(grep -rhs -E '^deb .* bookworm( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | head -1)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "deb $mirror bookworm-backports main" > "$list"
fi
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
echo "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) installed"
ls /usr/share/vulkan/icd.d/lvp_icd*.json
