#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-VM test runner (root, started by qemu-tests/vm.sh). Runs every
# qemu-tests/build/*_test binary, every qemu-tests/flows/*.sh,
# pkcs11/build/kernel_test and libhsm-dev/build/libhsm_device_test, sorted
# by path, each
# on a freshly loaded khsm (rmmod + modprobe), as the unprivileged user
# hsmuser (group hsm) unless the name ends in _root_test or the script has a
# line "# khsm-test: root" (a line "# khsm-test: timeout SECS" raises the
# per-test timeout for that script). TAP is passed through; a test that exits non-zero
# without a "not ok", prints no TAP, stops short of its plan, or leaves
# kernel-log trouble behind gets a synthesised "not ok". Last line:
#   khsm-vm: N passed, N failed, N skipped
# Usage: run-all.sh [-t SECS] [NAME-GLOB ...]   (globs filter by test name)
#        run-all.sh --list [NAME-GLOB ...]   the names it would run (anywhere)
# Env KHSM_TEST_BINDIR=<dir>: run only <dir>/*_test (the ASan/UBSan pass of
# make check), with KHSM_PKCS11 naming the PKCS#11 module they load.
# Exits 0 once all tests ran; failures are in the TAP and the summary.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
TMO=${KHSM_TEST_TIMEOUT:-300}
if [ "${1:-}" = -t ]; then
	TMO=$2
	shift 2
fi
LIST=0
if [ "${1:-}" = --list ]; then
	LIST=1
	shift
fi
# shellcheck disable=SC2034 # wanted() (qemu-tests/lib/tap.sh) reads it
FILTERS=("$@")

[ $LIST = 1 ] || [ "$(id -u)" = 0 ] || { echo "run-all.sh: must run as root inside the VM (qemu-tests/vm.sh)" >&2; exit 2; }
[ $LIST = 1 ] || id hsmuser >/dev/null 2>&1 || { echo "run-all.sh: user hsmuser missing (not in the khsm VM?)" >&2; exit 2; }

# Environment the tests get (as root or hsmuser).
TEST_ENV=(
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
	LANG=C.UTF-8
	KHSM_REPO="$REPO"
	KHSM_PKCS11="${KHSM_PKCS11:-$REPO/pkcs11/khsm-pkcs11.so}"
	LD_LIBRARY_PATH="$REPO/libhsm-dev"
	KHSM_ARGON2_M_KIB=${KHSM_ARGON2_M_KIB:-64}
	KHSM_ARGON2_T=${KHSM_ARGON2_T:-1}
	KHSM_GID="$(getent group hsm | cut -d: -f3)"
)

pass=0 fail=0 skip=0
kpat='BUG |BUG:|WARNING:|Call Trace|Poison overwritten|Redzone|refcount_t|Oops|general protection fault|Slab cache still has objects|Objects remaining'

emit_fail() {
	echo "not ok - $1"
	fail=$((fail + 1))
}

# shellcheck source=qemu-tests/lib/tap.sh
. "$REPO/qemu-tests/lib/tap.sh"

# pkcs11/build/kernel_test (the PKCS#11 module's own in-VM test) takes the
# module path as its argument.
tests=()
if [ -n "${KHSM_TEST_BINDIR:-}" ]; then
	candidates=("$KHSM_TEST_BINDIR"/*_test)
else
	candidates=("$REPO"/qemu-tests/build/*_test "$REPO"/qemu-tests/flows/*.sh
		    "$REPO"/pkcs11/build/kernel_test
		    "$REPO"/libhsm-dev/build/libhsm_device_test)
fi
for t in "${candidates[@]}"; do
	[ -f "$t" ] || continue
	case $t in *.sh) ;; *) [ -x "$t" ] || continue ;; esac
	tests+=("$t")
done
mapfile -t tests < <(printf '%s\n' "${tests[@]}" | sort)
if [ $LIST = 1 ]; then
	for t in "${tests[@]}"; do
		wanted "${t##*/}" && echo "${t##*/}"
	done
	exit 0
fi

out=$(mktemp /tmp/run-all.XXXXXX)
# The kernel log's length before the next test (see the check after it).
mapfile -t klog < <(dmesg)
klines=${#klog[@]}
trap 'rm -f "$out"' EXIT
chmod 0644 "$out"
ran=0
for t in "${tests[@]}"; do
	name=${t##*/}
	wanted "$name" || continue
	ran=$((ran + 1))
	as=hsmuser
	case $name in *_root_test) as=root ;; esac
	case $name in *.sh) grep -q '^# khsm-test: root' "$t" && as=root ;; esac
	# A flow may need more than the default: "# khsm-test: timeout SECS".
	tmo=$TMO
	case $name in *.sh)
		t_own=$(sed -n 's/^# khsm-test: timeout \([0-9][0-9]*\)$/\1/p' "$t" | head -n1)
		[ -n "$t_own" ] && [ "$t_own" -gt "$tmo" ] && tmo=$t_own ;;
	esac

	echo "# running $name (as $as)"
	# Fresh token for every test.
	if ! "$REPO/qemu-tests/vm/khsm-load" --reload; then
		emit_fail "$name: could not reload khsm before the test"
		continue
	fi
	if [ $as = root ]; then
		runner=()
		home=(HOME=/root)
	else
		runner=(setpriv --reuid=hsmuser --regid=hsmuser --init-groups)
		home=(HOME=/home/hsmuser USER=hsmuser)
	fi
	case $name in
	*.sh) cmd=(bash "$t") ;;
	kernel_test) cmd=("$t" "$REPO/pkcs11/khsm-pkcs11.so") ;;
	*) cmd=("$t") ;;
	esac
	start=$SECONDS
	# shellcheck disable=SC2163 # the elements are NAME=value
	(cd /tmp && export "${TEST_ENV[@]}" "${home[@]}" &&
		exec timeout -k 5 "$tmo" "${runner[@]}" "${cmd[@]}" </dev/null 2>&1) | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$((SECONDS - start))

	# One pass for the counts and the plan (a process start is slow
	# under TCG, and this runs for every test).
	read -r n_ok n_skip n_nok plan < <(awk '
		/^ok([^[:alnum:]_]|$)/ { ok++; if (tolower($0) ~ /#[[:space:]]*skip/) sk++ }
		/^not ok([^[:alnum:]_]|$)/ { nok++ }
		/^1\.\.[0-9]+/ && plan == "" { plan = substr($1, 4) + 0 }
		END { printf "%d %d %d %s\n", ok, sk, nok, plan }' "$out")
	pass=$((pass + n_ok - n_skip))
	skip=$((skip + n_skip))
	fail=$((fail + n_nok))
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		emit_fail "$name: timed out after ${tmo}s"
	elif [ "$rc" != 0 ] && [ "$n_nok" = 0 ]; then
		emit_fail "$name: exited with status $rc without a 'not ok'"
	elif [ $((n_ok + n_nok)) = 0 ] && ! grep -qiE '^1\.\.0\b.*skip' "$out"; then
		emit_fail "$name: printed no TAP results"
	elif [ -n "$plan" ] && [ $((n_ok + n_nok)) -lt "$plan" ]; then
		emit_fail "$name: planned $plan tests, ran $((n_ok + n_nok))"
	fi
	# Kernel trouble during this test (or the module reload before it)
	# is this test's failure. One dmesg per test, the rest in bash: a
	# process start costs about 0.1 s under TCG.
	mapfile -t klog < <(dmesg)
	for ((i = klines, bad = -1; i < ${#klog[@]}; i++)); do
		[[ ${klog[i]} =~ $kpat ]] && { bad=$i; break; }
	done
	if [ $bad -ge 0 ]; then
		emit_fail "$name: kernel log reports a problem"
		printf '# %s\n' "${klog[@]:bad:21}"
	fi
	klines=${#klog[@]}
	echo "# $name: exit $rc, ${secs}s"
done
# Leave the module as we found it: loaded, fresh.
"$REPO/qemu-tests/vm/khsm-load" --reload >/dev/null 2>&1 ||
	emit_fail "final reload of khsm (rmmod after the last test) failed"
[ $ran -gt 0 ] || emit_fail "no tests found under $REPO/qemu-tests/build or flows"
echo "khsm-vm: $pass passed, $fail failed, $skip skipped"
exit 0
