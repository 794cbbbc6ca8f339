#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-VM side of qemu-tests/persist/run.sh (root, started by vm.sh with the
# state disk attached): runs one boot of a scenario,
#   bash qemu-tests/persist/NAME I N
# as root with the test environment (the one run-all.sh gives tests, plus
# the variables below), passes its TAP through, and fails the boot if the
# kernel log shows trouble. A line "# khsm-test: timeout SECS" in the
# scenario sets its timeout (default 300).
# Env for the scenario:
#   KHSM_BOOT=I KHSM_BOOTS=N   this boot and how many the scenario has
#   KHSM_DISK                  the disk's mount point (vm.sh -d)
#   KHSM_SCRATCH               $KHSM_DISK/scratch: kept between boots,
#                              outside the state directory
#   KHSM_HSMCTL                hsmctl (empty if none was built or installed)
# Exit: the scenario's status, or 1 on kernel-log trouble.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
name=$1 i=$2 n=$3
script=$HERE/$name
[ -f "$script" ] || { echo "not ok - $name: no such scenario $script"; exit 1; }
[ -n "${KHSM_DISK:-}" ] || { echo "not ok - $name: no state disk (vm.sh -d)"; exit 1; }

hsmctl=${KHSM_HSMCTL:-}
if [ -z "$hsmctl" ]; then
	for c in "$REPO/libhsm-dev/build/hsmctl" "$REPO/libhsm-dev/hsmctl/hsmctl" \
		 "$REPO/libhsm-dev/hsmctl/build/hsmctl" "$(command -v hsmctl 2>/dev/null)"; do
		[ -n "$c" ] && [ -x "$c" ] && { hsmctl=$c; break; }
	done
fi
mkdir -p "$KHSM_DISK/scratch"
tmo=$(sed -n 's/^# khsm-test: timeout \([0-9][0-9]*\)$/\1/p' "$script" | head -n1)
kpat='BUG |BUG:|WARNING:|Call Trace|Poison overwritten|Redzone|refcount_t|Oops|general protection fault'
klines=$(dmesg | wc -l)
echo "# $name boot $i/$n (hsmctl: ${hsmctl:-none})"
env PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 HOME=/root \
	KHSM_REPO="$REPO" KHSM_PKCS11="${KHSM_PKCS11:-$REPO/pkcs11/khsm-pkcs11.so}" \
	LD_LIBRARY_PATH="$REPO/libhsm-dev" \
	KHSM_ARGON2_M_KIB="${KHSM_ARGON2_M_KIB:-64}" KHSM_ARGON2_T="${KHSM_ARGON2_T:-1}" \
	KHSM_BOOT="$i" KHSM_BOOTS="$n" KHSM_SCRATCH="$KHSM_DISK/scratch" \
	KHSM_HSMCTL="$hsmctl" \
	timeout -k 5 "${tmo:-300}" bash "$script" "$i" </dev/null 2>&1
rc=$?
[ $rc = 124 ] && echo "not ok - $name boot $i: timed out after ${tmo:-300}s"
if dmesg | tail -n +$((klines + 1)) | grep -Eq "$kpat"; then
	echo "not ok - $name boot $i: kernel log reports a problem"
	dmesg | tail -n +$((klines + 1)) | grep -E -A20 "$kpat" | sed 's/^/# /'
	rc=1
fi
exit $rc
