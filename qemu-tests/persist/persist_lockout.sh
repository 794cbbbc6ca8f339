#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PIN lockout persists (issue 15, tests (c)). Boot 1: C_InitToken with
# KHSM_PIN_RETRIES=5 (libhsm's retry limit), keys made; then 5 wrong user
# PINs: TOKEN_INFO's CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED flags and
# the failure counter are checked after each; the right PIN then gets
# CKR_PIN_LOCKED. Boot 2 (same disk): hsmctl load, still locked (counter 5,
# CKF_USER_PIN_LOCKED, right PIN refused); the SO's C_InitPIN unlocks; the
# keys of boot 1 still work (same AES ciphertext, ECDSA verified by
# OpenSSL); a reload keeps the unlock.
# khsm-persist: boots 2
# khsm-test: timeout 600
. "$(dirname "$0")/persist.inc"
persist_require
S=$KHSM_SCRATCH
N=5
IV=000102030405060708090a0b0c0d0e0f
COUNT_LOW=$((0x10000)) FINAL_TRY=$((0x20000)) LOCKED=$((0x40000))

# flags_are DESC FAILURES: the three user PIN flags exact for that count
flags_are() {
	local i=$2 fl want_low want_final want_locked
	fl=$(($(ti flags)))
	want_low=$(( i > 0 && i < N ))
	want_final=$(( i == N - 1 ))
	want_locked=$(( i >= N ))
	TAP_N=$((TAP_N + 1))
	echo "# flags 0x$(printf %x "$fl") user_failures=$(ti user_failures) after $i wrong PINs"
	if [ $(( !!(fl & FINAL_TRY) )) = $want_final ] && [ $(( !!(fl & LOCKED) )) = $want_locked ] &&
	   { [ "$i" -ge $N ] || [ $(( !!(fl & COUNT_LOW) )) = $want_low ]; } &&
	   [ "$(ti user_failures)" = "$i" ]; then
		echo "ok $TAP_N - $1: COUNT_LOW=$want_low FINAL_TRY=$want_final LOCKED=$want_locked, counter $i"
	else
		echo "not ok $TAP_N - $1: want COUNT_LOW=$want_low FINAL_TRY=$want_final LOCKED=$want_locked, counter $i"
		TAP_FAILS=$((TAP_FAILS + 1))
	fi
}

case ${1:-1} in
1)
	step "C_InitToken with KHSM_PIN_RETRIES=$N" \
		env KHSM_PIN_RETRIES=$N "${P11[@]}" --slot-index 0 --init-token --label "$LABEL" \
		--so-pin "$SO_PIN" &&
		check "TOKEN_INFO max_pin_failures is $N" "[ \"\$($TOKINFO | sed -n 's/^max_pin_failures=//p')\" = $N ]"
	step "C_InitPIN" "${P11T[@]}" "${LSO[@]}" --init-pin --new-pin "$USER_PIN"
	step "AES-256 token key (id 05)" \
		"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id 05 --label aes --usage-decrypt
	step "P-256 token key pair (id 06)" \
		"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 06 --label ec --usage-sign
	step "read the P-256 public key" "${P11T[@]}" --read-object --type pubkey --id 06 -o ec.der &&
		step "openssl parses it" openssl pkey -pubin -inform DER -in ec.der -out "$S/ec.pem"
	head -c 64 /dev/urandom >"$S/pt"
	step "AES-CBC-PAD ciphertext for later" \
		"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id 05 --iv $IV -i "$S/pt" -o "$S/aes.ct"
	flags_are "before any wrong PIN" 0
	for i in $(seq $N); do
		want=CKR_PIN_INCORRECT
		[ "$i" = $N ] && want='CKR_PIN_INCORRECT\|CKR_PIN_LOCKED'
		step_fails "wrong user PIN $i of $N" "$want" "${P11T[@]}" --login --pin 000000 -O
		flags_are "after wrong PIN $i" "$i"
	done
	step_fails "the right PIN gets CKR_PIN_LOCKED" CKR_PIN_LOCKED "${P11T[@]}" "${L[@]}" -O
	flags_are "after the right PIN on a locked token" $N
	;;
2)
	load_ok "after the reboot"
	flags_are "the lock survived the reboot" $N
	step_fails "the right PIN still gets CKR_PIN_LOCKED" CKR_PIN_LOCKED "${P11T[@]}" "${L[@]}" -O
	step "SO C_InitPIN unlocks with a new user PIN" \
		"${P11T[@]}" "${LSO[@]}" --init-pin --new-pin 24680246
	flags_are "after C_InitPIN" 0
	L=(--login --pin 24680246)
	step "the new user PIN logs in" "${P11T[@]}" "${L[@]}" -O &&
		check "not TAMPERED, nothing refused" "$TOKINFO | grep -qx tampered=0 && $TOKINFO | grep -qx refused=0"
	step "AES key of boot 1 decrypts its ciphertext" \
		"${P11T[@]}" "${L[@]}" --decrypt -m AES-CBC-PAD --id 05 --iv $IV -i "$S/aes.ct" -o pt &&
		check "plaintext is the original" "cmp pt $S/pt"
	head -c 500 /dev/urandom >msg
	step "P-256 key of boot 1 signs" \
		"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id 06 -i msg -o sig --signature-format openssl &&
		step "OpenSSL verifies with the public key of boot 1" \
			openssl dgst -sha256 -verify "$S/ec.pem" -signature sig msg
	step "rmmod + insmod khsm" reload
	load_ok "after a reload"
	flags_are "the unlock survived the reload" 0
	step "the new user PIN logs in after the reload" "${P11T[@]}" "${L[@]}" -O
	;;
esac
flow_end
