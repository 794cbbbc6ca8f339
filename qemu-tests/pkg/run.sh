#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Package scenarios (host side): the .debs of `make deb` installed in the VM
# on a persistent root. Every qemu-tests/pkg/pkg_*.sh with a header line
#
#   # khsm-pkg: kernels K1 K2 ...   one boot per word, in order; "default"
#                                   is KVER, "new" KVER_NEW (.ci/kernel)
#
# is a scenario. Each gets a fresh ext4 image (qemu-tests/vm/mkdisk, 3 GiB
# sparse) that holds the root's upper layer (vm.sh -R -d: what the guest
# installs stays for the next boot), then its boots, each running
# `bash qemu-tests/pkg/NAME I N` as root with KHSM_PKG_DEBS (the .debs),
# KHSM_PKG_KNEW and KHSM_PKG_KDEBS (KVER_NEW's linux-headers, -common and
# linux-kbuild .debs, downloaded once with apt-get download into
# build/pkg/kernel-debs/KVER_NEW: DKMS builds for that kernel in the guest).
# A boot passes if vm.sh passes (script exit 0, kernel clean) and its TAP
# has no "not ok" and meets its plan; after a failed boot the rest are not
# run. One TAP line per boot, the scenario's own lines pass through, and a
# summary of "# time:" lines (boots, apt installs, DKMS builds).
#
# Usage: run.sh [-k KVER] [--list] [NAME-GLOB ...]
# Env: KHSM_PKG_DEBS (default build/deb); KHSM_PKG_NEW=0 leaves KVER_NEW
# out (no headers, no DKMS build for it, no "new" boot: each DKMS build
# under TCG is long, see README); KHSM_PKG_KEEP=1 keeps the image
# (build/pkg/NAME.img); KHSM_PKG_FROM=I resumes at boot I on that kept
# image (debugging).
# Exit: 0 if every selected scenario passed, 1 otherwise, 2 on usage.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KVER=${KVER:-} LIST=0
while [ $# -gt 0 ]; do
	case $1 in
	-k) KVER=$2; shift 2 ;;
	--list) LIST=1; shift ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" >&2; exit 2 ;;
	*) break ;;
	esac
done
FILTERS=("$@")

# shellcheck source=qemu-tests/lib/tap.sh
. "$REPO/qemu-tests/lib/tap.sh"

select_scenarios pkg '^# khsm-pkg: kernels ' "$HERE"/pkg_*.sh

[ -n "$KVER" ] || KVER=$("$REPO/.ci/kernel" default)
KNEW=$("$REPO/.ci/kernel" new 2>/dev/null || true)
[ "${KHSM_PKG_NEW:-1}" = 0 ] && KNEW=
FROM=${KHSM_PKG_FROM:-1}
OUT=$REPO/build/pkg
DEBS=${KHSM_PKG_DEBS:-$REPO/build/deb}
mkdir -p "$OUT"
pass=0 fail=0 skip=0 times=()
t0=$(date +%s)

ndebs=$(find "$DEBS" -maxdepth 1 -name '*.deb' 2>/dev/null | wc -l)
if [ "$ndebs" = 0 ]; then
	echo "not ok - pkg: no .deb in $DEBS (make deb)"
	exit 1
fi
DEBS=$(realpath "$DEBS")

# KVER_NEW: its headers' .debs for the guest, its VM kernel prepared
KDEBS=
if [ -n "$KNEW" ]; then
	KDEBS=$OUT/kernel-debs/$KNEW
	if [ ! -e "$KDEBS/.done" ]; then
		rm -rf "$KDEBS" && mkdir -p "$KDEBS" && chmod 0777 "$KDEBS"
		dep=$(apt-cache show "linux-headers-$KNEW" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1)
		common=$(grep -o 'linux-headers-[^ ,]*-common' <<<"$dep" | head -n1)
		kbuild=$(grep -o 'linux-kbuild-[^ ,]*' <<<"$dep" | head -n1)
		if [ -n "$common" ] && [ -n "$kbuild" ] &&
		   (cd "$KDEBS" && apt-get download -q "linux-headers-$KNEW" "$common" "$kbuild" >/dev/null 2>&1); then
			touch "$KDEBS/.done"
		else
			echo "# pkg: cannot download the headers of $KNEW (apt-get download linux-headers-$KNEW ${common:-?-common} ${kbuild:-linux-kbuild-?})"
		fi
	fi
	[ -e "$KDEBS/.done" ] || KDEBS=
	mkdir -p "$REPO/build/vm/$KNEW"
	# vm.sh -R mounts the modules of every kernel prepared under build/vm
	( flock 9 && "$REPO/qemu-tests/vm/prep.sh" "$KNEW" "$REPO/build/vm/$KNEW" ) \
		9>"$REPO/build/vm/$KNEW/.lock" || echo "# pkg: VM preparation of $KNEW failed"
fi

for s in "${scenarios[@]}"; do
	name=${s##*/}
	read -r -a kernels < <(sed -n 's/^# khsm-pkg: kernels //p' "$s" | head -n1)
	nb=${#kernels[@]}
	tmo=$(sed -n 's/^# khsm-test: timeout \([0-9][0-9]*\)$/\1/p' "$s" | head -n1)
	img=$OUT/${name%.sh}.img
	if [ "$FROM" -gt 1 ] && [ -f "$img" ]; then
		echo "# $name: resuming at boot $FROM on the kept $img"
	elif ! "$REPO/qemu-tests/vm/mkdisk" "$img" 3072 >/dev/null; then
		echo "not ok - $name: cannot make the disk image $img"
		fail=$((fail + 1))
		continue
	fi
	st=$(date +%s)
	for i in $(seq "$nb"); do
		k=${kernels[$((i - 1))]}
		[ "$i" -lt "$FROM" ] && continue
		case $k in
		default) k=$KVER ;;
		new)
			if [ "${KHSM_PKG_NEW:-1}" = 0 ]; then
				echo "ok - $name boot $i/$nb # SKIP KHSM_PKG_NEW=0: no KVER_NEW boot"
				skip=$((skip + 1))
				continue
			fi
			if [ -z "$KNEW" ] || [ -z "$KDEBS" ]; then
				echo "not ok - $name boot $i/$nb: no KVER_NEW kernel or its headers (.ci/kernel new: '${KNEW}')"
				fail=$((fail + 1))
				break
			fi
			k=$KNEW ;;
		esac
		log=$OUT/${name%.sh}.boot$i.log
		echo "# ---- $name boot $i/$nb on $k"
		bt=$(date +%s)
		KHSM_PKG_DEBS=$DEBS KHSM_PKG_KNEW=$KNEW KHSM_PKG_KDEBS=$KDEBS KHSM_PKG_NEW=${KHSM_PKG_NEW:-1} \
			"$REPO/qemu-tests/vm.sh" -R -d "$img" -k "$k" -t "${tmo:-1800}" -- \
			"bash $s $i $nb" 2>&1 | tee "$log"
		vrc=${PIPESTATUS[0]}
		bs=$(($(date +%s) - bt))
		times+=("# time: $name boot $i/$nb ($k): ${bs}s")
		read -r n_ok n_nok plan < <(awk '
			/^ok([^[:alnum:]_]|$)/ { ok++ }
			/^not ok([^[:alnum:]_]|$)/ { nok++ }
			/^1\.\.[0-9]+/ { plan += substr($1, 4) }
			END { printf "%d %d %d\n", ok, nok, plan }' "$log")
		why=
		if [ "$vrc" != 0 ]; then
			why="vm.sh exit $vrc (script failed or kernel check: see above)"
		elif [ "$n_nok" != 0 ]; then
			why="$n_nok failed test(s)"
		elif [ "$n_ok" = 0 ]; then
			why="printed no TAP results"
		elif [ "$plan" -gt $((n_ok + n_nok)) ]; then
			why="planned $plan tests, ran $((n_ok + n_nok))"
		fi
		while IFS= read -r l; do times+=("$l"); done < <(grep '^# time: ' "$log" | sed "s/^# time: /# time: $name boot $i: /")
		if [ -n "$why" ]; then
			echo "not ok - $name boot $i/$nb ($k): $why (log: $log)"
			fail=$((fail + 1))
			[ "$i" -lt "$nb" ] && echo "# $name: boots $((i + 1))..$nb not run"
			break
		fi
		echo "ok - $name boot $i/$nb ($k): passed, kernel clean (${bs}s)"
		pass=$((pass + 1))
	done
	times+=("# time: $name: $(($(date +%s) - st))s in all")
	[ "${KHSM_PKG_KEEP:-0}" = 1 ] || rm -f "$img"
done
echo "# pkg: log summary"
printf '%s\n' "${times[@]}"
echo "# pkg: $pass boots passed, $fail failed, $skip skipped, $(($(date +%s) - t0))s"
[ $fail = 0 ]
