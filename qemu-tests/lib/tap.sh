# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the test scripts that print TAP one check at a time
# (qemu-tests/pkg/*.sh) and by the runners that pick tests by glob
# (qemu-tests/run-all.sh, qemu-tests/persist/run.sh, qemu-tests/pkg/run.sh).
# The flows have their own, command-echoing steps (qemu-tests/flows/tap.inc).

TAP_N=0
TAP_FAILS=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
notok() { TAP_N=$((TAP_N + 1)); TAP_FAILS=$((TAP_FAILS + 1)); echo "not ok $TAP_N - $*"; }
# skip DESC WHY
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }

# check DESC CMD...: ok when CMD succeeds; the last 30 lines of its output
# are shown when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/#   /'
		notok "$desc"
	fi
}

# tap_end: the plan; the status is 0 when nothing failed.
tap_end() {
	echo "1..$TAP_N"
	[ "$TAP_FAILS" = 0 ]
}

# wanted NAME: NAME matches one of the globs in the array FILTERS (every
# name does when FILTERS is empty).
wanted() {
	local f
	[ ${#FILTERS[@]} -eq 0 ] && return 0
	for f in "${FILTERS[@]}"; do
		# shellcheck disable=SC2053
		[[ $1 == $f ]] && return 0
	done
	return 1
}

# select_scenarios LABEL HEADER-ERE FILE...: the FILEs with a line matching
# HEADER-ERE whose names wanted() takes, in the array "scenarios"; when
# LIST=1 prints their names and exits; when there is none, a "not ok" and
# exit 1.
select_scenarios() {
	local label=$1 hdr=$2 s
	shift 2
	scenarios=()
	for s in "$@"; do
		grep -qE "$hdr" "$s" || continue
		wanted "${s##*/}" && scenarios+=("$s")
	done
	if [ "${LIST:-0}" = 1 ]; then
		for s in "${scenarios[@]}"; do echo "${s##*/}"; done
		exit 0
	fi
	if [ ${#scenarios[@]} = 0 ]; then
		echo "not ok - $label: no scenario matches ${FILTERS[*]:-*}"
		exit 1
	fi
}
