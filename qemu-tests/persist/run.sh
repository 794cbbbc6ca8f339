#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Multi-boot scenarios (host side): token state on a disk image that
# outlives the VM. Every qemu-tests/persist/*.sh with a header line
#
#   # khsm-persist: boots N              N boots, one after the other
#   # khsm-persist: cuts N MIN_MS:MAX_MS N+1 boots; boots 1..N end in a
#                                        power cut (vm.sh -c), the last one
#                                        shuts down normally
#
# is a scenario. Each gets a fresh ext4 image (qemu-tests/vm/mkdisk), then
# its boots, each running `qemu-tests/persist/guest.sh NAME I N` (which
# runs the scenario script with argument I, as root) in a VM with the image
# attached (vm.sh -d: its state/ is /var/lib/khsm). A boot passes if vm.sh
# passes (the script exited 0, no oops/WARN/taint/rmmod failure; after a
# power cut: the cut came, the console is clean) and its TAP has no
# "not ok" and meets its plan; a scenario passes only if every boot does
# (after a failed boot the rest are not run, except in a power-cut loop
# when the failed boot did end in its cut; a boot whose script prints
# only "1..0 # SKIP why" skips the scenario). One TAP line per boot:
#   ok - persist_keys.sh boot 1/2: ...
# The scenarios' own TAP lines pass through.
#
# Usage: run.sh [-k KVER] [-m khsm.ko] [--list] [NAME-GLOB ...]
#   --list  print the names of the scenarios the globs select, run nothing
# Env: KHSM_POWERCUT_N overrides N of "cuts" scenarios (make check-powercut
# N=200); KHSM_PERSIST_KEEP=1 keeps the images (build/persist/NAME.img);
# the KHSM_* variables reach the guest (vm.sh).
# Exit: 0 if every selected scenario passed, 1 otherwise, 2 on usage.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KVER_ARG=() MOD_ARG=() LIST=0
while [ $# -gt 0 ]; do
	case $1 in
	-k) KVER_ARG=(-k "$2"); shift 2 ;;
	-m) MOD_ARG=(-m "$2"); shift 2 ;;
	--list) LIST=1; shift ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" >&2; exit 2 ;;
	*) break ;;
	esac
done
FILTERS=("$@")

# shellcheck source=qemu-tests/lib/tap.sh
. "$REPO/qemu-tests/lib/tap.sh"

select_scenarios persist '^# khsm-persist: (boots|cuts) ' "$HERE"/*.sh

OUT=$REPO/build/persist
mkdir -p "$OUT"
pass=0 fail=0 skip=0
t0=$(date +%s)

# boot NAME I N LOG VM-OPTIONS... : one boot; prints its TAP line, returns
# 0 if it passed.
boot() {
	local name=$1 i=$2 n=$3 log=$4 vrc n_ok n_nok plan why="" ts skipwhy
	shift 4
	ts=$(date +%s)
	echo "# ---- $name boot $i/$n: vm.sh $*"
	"$REPO/qemu-tests/vm.sh" "${KVER_ARG[@]}" "${MOD_ARG[@]}" "$@" -- \
		"$HERE/guest.sh $name $i $n" 2>&1 | tee "$log"
	vrc=${PIPESTATUS[0]}
	read -r n_ok n_nok plan < <(awk '
		/^ok([^[:alnum:]_]|$)/ { ok++ }
		/^not ok([^[:alnum:]_]|$)/ { nok++ }
		/^1\.\.[0-9]+/ { plan += substr($1, 4) }
		END { printf "%d %d %d\n", ok, nok, plan }' "$log")
	skipwhy=$(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp] *//p' "$log" | head -n1)
	if [ -n "$skipwhy" ] && [ $((n_ok + n_nok)) = 0 ] &&
	   { [ "$vrc" = 0 ] || { [ "$vrc" = 3 ] && [ "$CUTTING" = 1 ]; }; }; then
		echo "ok - $name boot $i/$n # SKIP $skipwhy"
		skip=$((skip + 1))
		return 2
	fi
	if [ "$vrc" = 3 ] && [ "$CUTTING" = 1 ]; then
		why="the guest powered off before the power cut (the script ended or never armed it)"
	elif [ "$vrc" != 0 ]; then
		why="vm.sh exit $vrc (script failed or kernel check: see above)"
	elif [ "$n_nok" != 0 ]; then
		why="$n_nok failed test(s)"
	elif [ $((n_ok + n_nok)) = 0 ] && ! { [ "$CUTTING" = 1 ] && grep -qx '1\.\.0' "$log"; }; then
		why="printed no TAP results"
	elif [ "$plan" -gt $((n_ok + n_nok)) ]; then
		why="planned $plan tests, ran $((n_ok + n_nok))"
	fi
	if [ -z "$why" ]; then
		echo "ok - $name boot $i/$n: passed, kernel clean ($(($(date +%s) - ts))s)"
		pass=$((pass + 1))
		return 0
	fi
	echo "not ok - $name boot $i/$n: $why (log: $log)"
	fail=$((fail + 1))
	return 1
}

for s in "${scenarios[@]}"; do
	name=${s##*/}
	hdr=$(sed -n 's/^# khsm-persist: //p' "$s" | head -n1)
	read -r kind n range _ <<<"$hdr"
	if [ "$kind" = cuts ] && [ -n "${KHSM_POWERCUT_N:-}" ]; then
		n=$KHSM_POWERCUT_N
	fi
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] ||
		{ echo "not ok - $name: bad header '# khsm-persist: $hdr'"; fail=$((fail + 1)); continue; }
	boots=$n
	[ "$kind" = cuts ] && boots=$((n + 1))
	img=$OUT/${name%.sh}.img
	if ! "$REPO/qemu-tests/vm/mkdisk" "$img" 128; then
		echo "not ok - $name: cannot make the disk image $img"
		fail=$((fail + 1))
		continue
	fi
	st=$(date +%s)
	export KHSM_CUT_LOG=$OUT/${name%.sh}.cuts
	: >"$KHSM_CUT_LOG"
	for i in $(seq "$boots"); do
		opts=(-d "$img")
		CUTTING=0
		if [ "$kind" = cuts ]; then
			# Every boot of the loop is fast (no CPU crypto modules).
			opts+=(-F)
			[ "$i" -lt "$boots" ] && { opts+=(-c "$range"); CUTTING=1; }
		fi
		boot "$name" "$i" "$boots" "$OUT/${name%.sh}.boot$i.log" "${opts[@]}"
		brc=$?
		# A power-cut loop goes on after a failed check (each cut point
		# counts), not after a skip or a boot that was never cut.
		if [ $brc = 1 ] && [ "$kind" = cuts ] && [ "$i" -lt "$boots" ] &&
		   grep -q '^khsm-vm: power cut: ' "$OUT/${name%.sh}.boot$i.log"; then
			continue
		fi
		if [ $brc != 0 ]; then
			[ "$i" -lt "$boots" ] &&
				echo "# $name: boots $((i + 1))..$boots not run (boot $i $([ $brc = 2 ] && echo skipped || echo failed))"
			break
		fi
	done
	if [ "$kind" = cuts ]; then
		echo "# $name: $(grep -c . "$KHSM_CUT_LOG") power cuts at $(sed 's/cut-ms: //' "$KHSM_CUT_LOG" | paste -sd, -) ms after arming"
	fi
	echo "# $name: $(($(date +%s) - st))s"
	unset KHSM_CUT_LOG
	[ "${KHSM_PERSIST_KEEP:-0}" = 1 ] || rm -f "$img"
done
echo "# persist: $pass boots passed, $fail failed, $skip skipped, $(($(date +%s) - t0))s"
[ $fail = 0 ]
