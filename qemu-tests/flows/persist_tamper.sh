#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tampered state files (issue 15, tests (b)), one case each, every case on
# a fresh copy of the same good state directory: a flipped bit in an object
# file, a truncated object file, two object files swapped, an object file
# from another token, an older generation of one object, the header from
# before a destroy, a deleted object file. Each must be detected and
# reported (hsmctl load exits 1 naming refused/missing files, and/or after
# the login TOKEN_INFO says TAMPERED with a refused count and dmesg has a
# "khsm: hsm0: " line) and the untouched keys keep working (same AES
# ciphertext as before the tampering). The state directory is private
# to this test ($KHSM_STATE_DIR under the work dir).
# khsm-test: root
# khsm-test: timeout 900
. "$(dirname "$0")/../persist/persist.inc"
persist_require
IV=000102030405060708090a0b0c0d0e0f
head -c 48 /dev/urandom >pt

objs() { find -L "$STATE/hsm0/" -maxdepth 1 -name '*.obj' -printf '%f\n' 2>/dev/null | sort; }

# mk ID: an AES token key; its object file name into $W/oid.ID, its
# reference ciphertext into $W/ct.ID
mk() {
	local before after
	before=$(objs)
	step "AES-256 token key id $1" \
		"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id "$1" --label "k$1" --usage-decrypt &&
		step "reference ciphertext of $1" \
			"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id "$1" --iv $IV -i pt -o "ct.$1"
	after=$(objs)
	comm -13 <(echo "$before") <(echo "$after") >"oid.$1"
	check "key $1 has exactly one new object file" "[ \$(wc -l <$W/oid.$1) = 1 ]"
}
f() { echo "$STATE/hsm0/$(cat "$W/oid.$1")"; }

works() { # WHEN ID...
	local when=$1 id
	shift
	for id in "$@"; do
		step "$when: key $id still encrypts as before" \
			"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id "$id" --iv $IV -i pt -o "ct2.$id" &&
			check "$when: key $id gives the reference ciphertext" "cmp $W/ct.$id $W/ct2.$id"
	done
}
absent() { # WHEN ID
	step "$1: list secret keys" "${P11T[@]}" "${L[@]}" -O --type secrkey &&
		check "$1: key $2 is gone (not loaded)" "! grep -q 'label: *k$2\$' <<<\"\$OUT\""
}

# --- another token's object file, made first on a token of its own
persist_private_state
GOOD=$STATE
STATE=$W/other
mkdir -p "$STATE"
export KHSM_STATE_DIR=$STATE
flow_init_token
mk 99
other_serial=$(ti serial)
cp "$(f 99)" other.obj
step "rmmod + insmod khsm" reload
STATE=$GOOD
export KHSM_STATE_DIR=$STATE

# --- the good state: keys 01..06; 06 changed once (older copy kept);
# 05 destroyed (header from before kept)
flow_init_token
check "the two tokens have different serials" "[ \"$(ti serial)\" != \"$other_serial\" ]"
for id in 01 02 03 04 05 06; do mk $id; done
cp "$(f 06)" old06.obj
step "change key 06 (CKA_ID 06 -> 16): a new generation of its file" \
	"${P11T[@]}" "${L[@]}" --set-id 16 --id 06 --type secrkey
cp ct.06 ct.16
check "key 06's file changed" "! cmp -s $W/old06.obj $(f 06)"
cp "$STATE/hsm0/header" header.before-destroy
step "destroy key 05" "${P11T[@]}" "${L[@]}" --delete-object --type secrkey --id 05 &&
	check "its object file is gone" "[ ! -e $(f 05) ]"
sync
serial=$(ti serial)
rm -rf good && cp -a "$STATE/$serial" good
step "rmmod + insmod khsm" reload
load_ok "the untouched state"
works "untouched" 01 02 03 04 16
absent "untouched" 05

# tamper NAME SHELL-COMMAND BROKEN-IDS...: fresh copy of the good state,
# the command alters it, reload, load, login; detection and the rest.
tamper() {
	local name=$1 cmd=$2 rc kl
	shift 2
	echo "# ---- tamper: $name"
	rm -rf "${STATE:?}/$serial" && cp -a good "$STATE/$serial"
	(cd "$STATE/$serial" && bash -c "$cmd") || { check "$name: apply" false; return; }
	step "$name: rmmod + insmod" reload || return
	kl=$(dmesg | wc -l)
	TAP_N=$((TAP_N + 1))
	echo "# \$ hsmctl load"
	LAST_OUT=$(hsmctl load 2>&1)
	rc=$?
	_show "$LAST_OUT"
	echo "# exit $rc"
	if [ $rc = 0 ] || [ $rc = 1 ]; then
		echo "ok $TAP_N - $name: hsmctl load loads the token (exit $rc)"
	else
		echo "not ok $TAP_N - $name: hsmctl load exit $rc (want 0 or 1)"
		TAP_FAILS=$((TAP_FAILS + 1))
	fi
	HRC=$rc HOUT=$LAST_OUT
	step "$name: user login" "${P11T[@]}" "${L[@]}" -O
	echo "# TOKEN_INFO: $($TOKINFO | paste -sd' ')"
	dmesg | tail -n +$((kl + 1)) | grep 'khsm' | sed 's/^/# dmesg: /'
	export HRC HOUT
	check "$name: detected (hsmctl exit 1 naming a refused or missing file, or TAMPERED after login)" \
		"{ [ \$HRC = 1 ] && grep -qiE 'refused|missing' <<<\"\$HOUT\"; } || $TOKINFO | grep -qx tampered=1"
	check "$name: reported in dmesg (khsm: hsm0: ...) or by hsmctl" \
		"dmesg | tail -n +$((kl + 1)) | grep -q 'khsm: hsm0: ' || grep -qE '\\.obj|header' <<<\"\$HOUT\""
	local id keep=()
	for id in 01 02 03 04 16; do
		case " $* " in *" $id "*) absent "$name" "$id" ;; *) keep+=("$id") ;; esac
	done
	works "$name" "${keep[@]}"
	absent "$name" 05
}

o() { cat "$W/oid.$1"; }
tamper "flipped bit" \
	"python3 -c 'import sys; b = bytearray(open(sys.argv[1], \"rb\").read()); b[-1] ^= 0x10; open(sys.argv[1], \"wb\").write(b)' $(o 01)" 01
tamper "truncated file" "truncate -s \$((\$(stat -c %s $(o 02)) / 2)) $(o 02)" 02
tamper "two files swapped" "mv $(o 03) x && mv $(o 04) $(o 03) && mv x $(o 04)" 03 04
tamper "another token's file" "cp $W/other.obj $(o 02)" 02
tamper "older generation of one object" "cp $W/old06.obj $(o 06)" 16
tamper "header from before a destroy" "cp $W/header.before-destroy header"
tamper "deleted file" "rm $(o 01)" 01
flow_end
