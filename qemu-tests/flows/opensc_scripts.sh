#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# OpenSC's own test scripts (tests/test-pkcs11-tool-*.sh of Debian's
# opensc 0.23 source, fetched by `make opensc-src` into build/opensc) and
# p11test, run unmodified against khsm-pkcs11.so as hsmuser. The scripts
# are written for SoftHSM2: they source common.sh, whose
# softhsm_initialize() makes a token "SC test" with softhsm2-util. Here a
# common.sh of ours sources theirs and then points P11LIB at khsm and
# makes the token with pkcs11-tool --init-token/--init-pin; a
# softhsm2-util stand-in on PATH does the one other thing they ask of it
# (--import of an AES key, done with pkcs11-tool --write-object).
#
# A script that exits 0 passes, 77 skips (with its own reason), anything
# else fails, unless it is listed in EXPECTED_FAIL below with what khsm
# still lacks: then its failure is reported as a skip with that reason,
# and its passing as a failure (so the list cannot go stale).
# test-pkcs11-tool-test-threads.sh hard-codes OpenSC's own
# opensc-pkcs11.so after sourcing common.sh, so its two pkcs11-tool
# --test-threads commands are run here against khsm instead.
# khsm-test: timeout 1500
. "$(dirname "$0")/tap.inc"
flow_require_module

OSC=$FLOW_REPO/build/opensc
if [ ! -r "$OSC/version" ] || [ ! -x "$OSC/p11test" ]; then
	echo "1..0 # SKIP OpenSC's tests are not in $OSC (make opensc-src: needs Debian's deb-src for bookworm)"
	exit 0
fi
echo "# OpenSC source $(cat "$OSC/version"), pkcs11-tool $(dpkg-query -W -f='${Version}' opensc 2>/dev/null)"

# qemu-tests/opensc/expected-fail: "script|what khsm still lacks" lines.
declare -A EXPECTED_FAIL=()
while IFS='|' read -r name why; do
	[ -n "$name" ] && [ "${name:0:1}" != "#" ] && EXPECTED_FAIL[$name]=$why
done <"$FLOW_REPO/qemu-tests/opensc/expected-fail"

mkdir -p "$W/tests" "$W/bin"
cat >"$W/tests/common.sh" <<EOF
# khsm's stand-in for OpenSC's tests/common.sh: theirs, then khsm's token.
source "$OSC/src/tests/common.sh"
P11LIB="$MOD"
PKCS11_TOOL=pkcs11-tool
softhsm_initialize() {
	pkcs11-tool --module "\$P11LIB" --slot-index 0 --init-token --label "SC test" --so-pin "\$SOPIN" &&
	pkcs11-tool --module "\$P11LIB" --token-label "SC test" --login --login-type so \\
		--so-pin "\$SOPIN" --init-pin --new-pin "\$PIN"
}
softhsm_cleanup() { :; }
EOF
cat >"$W/bin/softhsm2-util" <<EOF
#!/bin/bash
# softhsm2-util --import FILE --aes --token LABEL --pin PIN --label L --id ID
file= token= pin= label= id=
while [ \$# -gt 0 ]; do
	case \$1 in
	--import) file=\$2; shift ;;
	--token) token=\$2; shift ;;
	--pin) pin=\$2; shift ;;
	--label) label=\$2; shift ;;
	--id) id=\$2; shift ;;
	--aes) ;;
	*) echo "softhsm2-util stand-in: \$1 not supported" >&2; exit 1 ;;
	esac
	shift
done
exec pkcs11-tool --module "$MOD" --token-label "\$token" --login --pin "\$pin" \\
	--write-object "\$file" --type secrkey --key-type "AES:\$(stat -c %s "\$file")" \\
	--label "\$label" --id "\$id"
EOF
chmod +x "$W/bin/softhsm2-util"
export PATH="$W/bin:$PATH" SOURCE_PATH="$W" BUILD_PATH="$W"

run_script() {
	local name=$1 rc why=${EXPECTED_FAIL[$1]:-}
	TAP_N=$((TAP_N + 1))
	echo "# \$ bash $name   (in $W/tests)"
	LAST_OUT=$(cd "$W/tests" && timeout 900 bash "$OSC/src/tests/$name" 2>&1)
	rc=$?
	_show "$(printf '%s\n' "$LAST_OUT" | tail -n 60)"
	if [ $rc = 77 ]; then
		echo "ok $TAP_N - $name # SKIP the script skipped itself: $(grep -m1 WARNING <<<"$LAST_OUT")"
	elif [ $rc = 0 ] && [ -n "$why" ]; then
		echo "not ok $TAP_N - $name passes now: take it off the expected failures ($why)"
		TAP_FAILS=$((TAP_FAILS + 1))
	elif [ $rc = 0 ]; then
		echo "ok $TAP_N - $name"
	elif [ -n "$why" ]; then
		echo "ok $TAP_N - $name (exit $rc) # SKIP known to fail: $why"
	else
		echo "not ok $TAP_N - $name (exit $rc; errors: $(grep -c '====> ERROR' <<<"$LAST_OUT"))"
		TAP_FAILS=$((TAP_FAILS + 1))
	fi
}

for s in test-pkcs11-tool-allowed-mechanisms.sh test-pkcs11-tool-sign-verify.sh \
	 test-pkcs11-tool-sym-crypt-test.sh test-pkcs11-tool-test.sh \
	 test-pkcs11-tool-unwrap-wrap-test.sh; do
	run_script "$s"
done

# test-pkcs11-tool-test-threads.sh's commands, against khsm.
step "pkcs11-tool --test-threads IN -L (threads initialise and list slots)" \
	"${P11[@]}" --test-threads IN -L
step "pkcs11-tool --test-threads ILGISLT0 -L (threads log in, list objects)" \
	"${P11[@]}" --test-threads ILGISLT0 -L

# p11test on a token set up as OpenSC's card_setup does.
(
	cd "$W/tests" && . ./common.sh && card_setup
) >"$W/setup.log" 2>&1
TAP_N=$((TAP_N + 1))
echo "# \$ p11test -m $MOD -p 123456   (token set up by OpenSC's card_setup)"
_show "$(tail -n 20 "$W/setup.log")"
LAST_OUT=$(cd "$W/tests" && timeout 900 "$OSC/p11test" -m "$MOD" -p 123456 -o "$W/p11test.json" 2>&1)
rc=$?
_show "$(printf '%s\n' "$LAST_OUT" | grep -E '^\[ *(RUN|OK|FAILED|SKIPPED|PASSED|ERROR) *\]|FAIL|tests' | tail -n 80)"
# interface_test checks that the second interface is OpenSC's own 2.20
# function list; khsm's is 2.40 (the version its pkcs11.h describes), so
# that case cannot pass against any other module. Every other case must.
failed=$(printf '%s\n' "$LAST_OUT" | sed -n 's/^\[  FAILED  \] \([a-z_0-9]*\)$/\1/p' | sort -u |
	 grep -vx interface_test || true)
ran=$(printf '%s\n' "$LAST_OUT" | grep -c '^\[ RUN      \]')
if [ "$ran" -lt 10 ]; then
	echo "not ok $TAP_N - p11test ran $ran cases (exit $rc)"
	TAP_FAILS=$((TAP_FAILS + 1))
elif [ -n "$failed" ]; then
	echo "not ok $TAP_N - p11test: failed $(echo $failed) (exit $rc)"
	TAP_FAILS=$((TAP_FAILS + 1))
else
	echo "ok $TAP_N - p11test: $ran cases, none failed but interface_test (OpenSC's own 2.20 list; khsm's is 2.40)"
fi
flow_end
