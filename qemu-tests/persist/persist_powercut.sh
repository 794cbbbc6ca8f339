#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Power cuts (issue 15): N boots end with QEMU killed at a random moment
# (run.sh: vm.sh -c MIN_MS:MAX_MS, SIGKILL from the host: no shutdown, no
# sync) while 4 processes create and destroy token objects through the
# PKCS#11 module (qemu-tests/persist/tools/khsm_powercut.c), each logging
# to the disk (fsync'd) which creations and destructions were acknowledged
# (CKR_OK). Every boot after a cut checks before it starts the next
# workload, and the last boot only checks:
#   - hsmctl load loads the token; nothing listed is missing; no file is
#     refused except "not listed" ones, at most one per process (an object
#     file written before its header, or a header written before the file's
#     unlink, when the cut came in between: an unacknowledged call);
#   - after the login nothing more is refused (no torn or altered blob);
#   - every acknowledged object is there (by CKA_ID), no acknowledged
#     destroyed one is, every object there was created by the workload;
#   - hsmctl save then tidies the directory for the next round.
# Boot 1 initialises the token. `make check-powercut N=200` runs longer;
# KHSM_POWERCUT_PROCS sets the number of workers (default 4).
# khsm-persist: cuts 20 300:3000
# khsm-test: timeout 300
. "$(dirname "$0")/persist.inc"
persist_require
PC=$PTOOLS/khsm_powercut
LOGS=$KHSM_SCRATCH/logs
i=${1:-1} n=${KHSM_BOOTS:-1}
mkdir -p "$LOGS"

if [ "$i" = 1 ]; then
	step "initialise the token (SO and user PIN)" "$PC" init
else
	TAP_N=$((TAP_N + 1))
	LAST_OUT=$(hsmctl load 2>&1)
	rc=$?
	_show "$LAST_OUT"
	if [ $rc = 0 ] || [ $rc = 1 ]; then
		echo "ok $TAP_N - boot $i: hsmctl load loads the token after the cut (exit $rc)"
	else
		echo "not ok $TAP_N - boot $i: hsmctl load exit $rc after the cut"
		TAP_FAILS=$((TAP_FAILS + 1))
	fi
	read -r nobj nref nmiss <<<"$(hsmctl_summary)"
	orphans=$(grep -ci 'refused.*not listed\|not listed.*refused' <<<"$LAST_OUT")
	others=$(grep -i 'refused' <<<"$LAST_OUT" | grep -vic 'not listed\|[0-9] refused')
	echo "# load: ${nobj:-?} objects, ${nref:-?} refused (${orphans} not listed), ${nmiss:-?} missing"
	# A listed object without its file: the header another process wrote
	# listed an object whose creator had not written its file yet.
	grep -i 'missing:' <<<"$LAST_OUT" | sed 's/.*hsm0: //' | sort >missing.now
	sort "$KHSM_SCRATCH/missing.prev" 2>/dev/null | comm -23 missing.now - >missing.new
	cp missing.now "$KHSM_SCRATCH/missing.prev"
	echo "# missing files: $(grep -c . missing.now) ($(grep -c . missing.new) new since the last boot)"
	check "boot $i: no listed object missing (no header lists an object without its file)" "[ '${nmiss:-x}' = 0 ]"
	check "boot $i: no torn or altered file; at most 4 unlisted files of unfinished calls" \
		"[ '$others' = 0 ] && [ '${nref:-x}' = '$orphans' ] && [ '$orphans' -le 4 ]"
	echo "# $PC check $LOGS"
	"$PC" check "$LOGS" | sed -e 's/^ok [0-9]* - /ok - /' -e 's/^not ok [0-9]* - /not ok - /' \
		-e '/^1\.\./d' >check.out
	cat check.out
	TAP_N=$((TAP_N + $(grep -c '^ok\|^not ok' check.out)))
	TAP_FAILS=$((TAP_FAILS + $(grep -c '^not ok' check.out)))
	grep -q '^ok' check.out || { echo "not ok - boot $i: the checker ran no test"; TAP_FAILS=$((TAP_FAILS + 1)); }
	echo "# TOKEN_INFO: $($TOKINFO | paste -sd' ')"
	check "boot $i: after the login nothing more refused" \
		"[ \"\$($TOKINFO | sed -n 's/^refused=//p')\" = '$orphans' ] && $TOKINFO | grep -qx locked=0"
	step "boot $i: hsmctl save (drops the unlisted files)" hsmctl save
fi
echo "1..$TAP_N"
[ "$i" -ge "$n" ] && exit $((TAP_FAILS > 0))
# A failed check does not stop the loop (run.sh counts the boot as failed
# and goes on with the next cut point).

# --- the workload, until the power goes
NP=${KHSM_POWERCUT_PROCS:-4}
for p in $(seq 0 $((NP - 1))); do
	"$PC" work "$LOGS" "$p" "b$i" >"started.$p" 2>"err.$p" &
done
for _ in $(seq 600); do
	[ "$(cat started.* | grep -c started)" = "$NP" ] && break
	for p in $(seq 0 $((NP - 1))); do
		[ -s "err.$p" ] && { echo "not ok - worker $p failed: $(cat "err.$p")"; exit 1; }
	done
	sleep 0.1
done
[ "$(cat started.* | grep -c started)" = "$NP" ] || { echo "not ok - the workers did not start within 60 s"; exit 1; }
echo "# $NP workers running; arming the power cut"
"$KHSM_REPO/qemu-tests/vm/khsm-arm-cut"
wait -n
echo "not ok - a worker stopped before the power cut: $(cat err.* | head -n 5)"
exit 1
