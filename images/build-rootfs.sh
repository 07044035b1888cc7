#!/bin/sh
# Builds the root filesystem of one stoke image from Debian packages:
#   build-rootfs.sh DIR MIRROR OVERLAY PACKAGE...
# debootstrap's minbase bookworm, the packages (no recommends, no service started), then the image's
# overlay folder copied over it and its optional setup script run inside.
set -eu
dir=$1 mirror=$2 overlay=$3
shift 3
debootstrap --variant=minbase bookworm "$dir" "$mirror"
printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
chmod 755 "$dir/usr/sbin/policy-rc.d"
mounted=""
if mount -t proc proc "$dir/proc" 2>/dev/null; then mounted=yes; fi
cleanup() { [ -z "$mounted" ] || umount "$dir/proc" 2>/dev/null || true; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
chroot "$dir" apt-get update -qq
chroot "$dir" apt-get install -y -qq --no-install-recommends "$@"
chroot "$dir" apt-get clean
rm -rf "$dir"/var/lib/apt/lists/* "$dir/usr/sbin/policy-rc.d"
cp -a "$overlay"/. "$dir"/
if [ -x "$dir/usr/local/sbin/stoke-image-setup" ]; then chroot "$dir" /usr/local/sbin/stoke-image-setup; fi
