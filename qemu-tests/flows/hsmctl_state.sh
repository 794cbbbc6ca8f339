#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khsm-test: root
#
# Smoke test of persistence end to end: pkcs11-tool (through libhsm)
# writes the token into a fresh state directory as it goes; after a module
# reload `hsmctl load` brings the same keys back (same CKA_ID; they sign
# after login, verified by OpenSSL); a destroyed key's file goes; `hsmctl
# save`, `backup`, then a reload and `restore` (a wrong SO PIN: exit 3,
# "SO PIN incorrect", token untouched; the right one: the keys work); a
# stray object file is refused with exit 1; a wrong PIN's count survives
# a reload. The big persistence tests
# (reboot, power cut, tamper, lockout) are elsewhere.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_require_hsmctl
export KHSM_STATE_DIR=$W/state KHSM_DEBUG=1 HSMCTL
mkdir -m 2770 "$KHSM_STATE_DIR" && chgrp hsm "$KHSM_STATE_DIR"
L=(--login --pin "$USER_PIN")
nobj() { find "$KHSM_STATE_DIR/hsm0/" -maxdepth 1 -name '*.obj' | wc -l; }
export -f nobj

flow_init_token
check "C_InitToken wrote the header and the hsm0 link" \
	'[ -s "$KHSM_STATE_DIR/hsm0/header" ] && [ -L "$KHSM_STATE_DIR/hsm0" ]'
step "EC key pair (token objects)" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 5e01 --label ec1 --usage-sign
step "AES key (token object)" \
	"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id 5e02 --label aes1
check "three object files, no temp file" \
	'[ "$(nobj)" = 3 ] && ! ls -A "$KHSM_STATE_DIR/hsm0/" | grep -q tmp'
step "public key read back" "${P11T[@]}" --read-object --type pubkey --id 5e01 -o pub.der &&
	step "openssl parses it" openssl pkey -pubin -inform DER -in pub.der -out pub.pem
head -c 300 /dev/urandom >msg

step "reload khsm (the kernel forgets the token)" "$FLOW_REPO/qemu-tests/vm/khsm-load" --reload
step "hsmctl status: not initialised" "$HSMCTL" status &&
	check "status says initialized: no" 'grep -q "^initialized: no" <<<"$OUT"'
step "hsmctl load" "$HSMCTL" load hsm0 &&
	check "summary: 3 objects, 0 refused, 0 missing" \
		'grep -q "loaded serial .*: 3 objects, 0 refused, 0 missing" <<<"$OUT"'
step "hsmctl status after load" "$HSMCTL" status &&
	check "loaded and locked until a login" 'grep -q "^state: loaded locked" <<<"$OUT"'
step "ECDSA-SHA256 with the loaded key (login unlocks)" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id 5e01 -i msg -o sig1 --signature-format openssl &&
	step "openssl verifies it with the public key from before the reload" \
		openssl dgst -sha256 -verify pub.pem -signature sig1 msg
step "the AES key is back with its CKA_ID" "${P11T[@]}" "${L[@]}" -O --type secrkey --id 5e02 &&
	check "listed as aes1" 'grep -q aes1 <<<"$OUT"'

step "destroy the AES key" "${P11T[@]}" "${L[@]}" --delete-object --type secrkey --id 5e02
check "its file is gone (2 left)" '[ "$(nobj)" = 2 ]'
step "hsmctl save" "$HSMCTL" save hsm0 &&
	check "save reports 2 objects" 'grep -q "saved serial .*: 2 objects" <<<"$OUT"'
step "hsmctl backup" "$HSMCTL" backup hsm0 "$W/token.bak" &&
	check "backup file starts with KHSMBAK1" "[ \"\$(head -c 8 $W/token.bak)\" = KHSMBAK1 ]"

step "reload khsm" "$FLOW_REPO/qemu-tests/vm/khsm-load" --reload
rm -rf "${KHSM_STATE_DIR:?}"/*
step_fails "restore with a wrong SO PIN" "SO PIN incorrect" \
	env KHSM_SO_PIN=00000000 "$HSMCTL" restore hsm0 "$W/token.bak"
step "the token is untouched" "$HSMCTL" status &&
	check "still not initialised" 'grep -q "^initialized: no" <<<"$OUT"'
echo "$SO_PIN" >"$W/so.pin"
step "restore with the SO PIN" "$HSMCTL" restore hsm0 "$W/token.bak" --so-pin-file "$W/so.pin" &&
	check "2 objects restored" 'grep -q "restored serial .*: 2 objects, 0 refused, 0 missing" <<<"$OUT"'
check "restore saved the state again (link, header, 2 objects)" \
	'[ -s "$KHSM_STATE_DIR/hsm0/header" ] && [ "$(nobj)" = 2 ]'
step "ECDSA-SHA256 after restore" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id 5e01 -i msg -o sig2 --signature-format openssl &&
	step "openssl verifies it" openssl dgst -sha256 -verify pub.pem -signature sig2 msg

step "reload khsm" "$FLOW_REPO/qemu-tests/vm/khsm-load" --reload
f=$(find "$KHSM_STATE_DIR/hsm0/" -maxdepth 1 -name '*.obj' | head -n1)
cp "$f" "$KHSM_STATE_DIR/hsm0/00000000000fffff.obj"
check "a stray object file: refused, the rest loaded, exit status 1" \
	'"$HSMCTL" load >out 2>&1; rc=$?; cat out; [ $rc = 1 ] &&
	 grep -q "00000000000fffff.obj refused" out &&
	 grep -q "2 objects, 1 refused, 0 missing" out'
rm -f "$KHSM_STATE_DIR/hsm0/00000000000fffff.obj"

# A wrong PIN on the loaded (locked) token is counted on disk too.
step_fails "a wrong user PIN" CKR_PIN_INCORRECT "${P11T[@]}" --login --pin 999999 -O
step "reload khsm" "$FLOW_REPO/qemu-tests/vm/khsm-load" --reload
step "hsmctl load (everything this time)" "$HSMCTL" load
step "hsmctl status" "$HSMCTL" status &&
	check "the failure count survived the reload" 'grep -q "^user-pin-failures: 1$" <<<"$OUT"'

# Four writers at once (flock, the generation rule): 3 keys each, one
# destroyed again; then what is on disk loads whole.
for p in 1 2 3 4; do
	(
		for i in 1 2 3; do
			"${P11T[@]}" "${L[@]}" --keygen --key-type AES:16 --id "7${p}0$i" \
				--label "c$p$i" >/dev/null 2>&1 || echo "keygen $p.$i failed"
		done
		"${P11T[@]}" "${L[@]}" --delete-object --type secrkey --id "7${p}01" \
			>/dev/null 2>&1 || echo "delete $p failed"
	) >"par.$p" 2>&1 &
done
wait
check "4 concurrent writers: every call succeeded" 'cat par.*; ! grep -q failed par.*'
check "10 object files, no temp file" \
	'[ "$(nobj)" = 10 ] && ! ls -A "$KHSM_STATE_DIR/hsm0/" | grep -q tmp'
step "reload khsm" "$FLOW_REPO/qemu-tests/vm/khsm-load" --reload
step "hsmctl load after the concurrent writers" "$HSMCTL" load &&
	check "10 objects, 0 refused, 0 missing" \
		'grep -q "10 objects, 0 refused, 0 missing" <<<"$OUT"'
step "a key of writer 3 works after the load" \
	"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --iv 00000000000000000000000000000000 \
	--id 7303 -i msg -o msg.enc
flow_end
