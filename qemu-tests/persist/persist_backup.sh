#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Backup and restore (issue 15, tests (e)). Boot 1: a token with a P-256
# pair and an AES key, `hsmctl backup` into $KHSM_SCRATCH (on the disk,
# outside the state directory). Boot 2: the state directory emptied (a
# fresh host); `hsmctl restore` with a wrong SO PIN fails cleanly (exit 3,
# "SO PIN incorrect", token and directory untouched); with the right SO
# PIN it restores the same serial and keys (ECDSA verified by OpenSSL with
# the public key of boot 1, AES decrypts boot 1's ciphertext), writes the
# state directory, and a module reload + hsmctl load brings it back again.
# khsm-persist: boots 2
# khsm-test: timeout 600
. "$(dirname "$0")/persist.inc"
persist_require
S=$KHSM_SCRATCH
IV=000102030405060708090a0b0c0d0e0f

keys_work() {
	local when=$1
	step "$when: user login" "${P11T[@]}" "${L[@]}" -O
	step "$when: AES key decrypts the ciphertext of boot 1" \
		"${P11T[@]}" "${L[@]}" --decrypt -m AES-CBC-PAD --id 08 --iv $IV -i "$S/aes.ct" -o pt &&
		check "$when: plaintext is the original" "cmp pt $S/pt"
	head -c 700 /dev/urandom >msg
	step "$when: P-256 key signs" \
		"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id 07 -i msg -o sig --signature-format openssl &&
		step "$when: OpenSSL verifies with the public key of boot 1" \
			openssl dgst -sha256 -verify "$S/ec.pem" -signature sig msg
}

case ${1:-1} in
1)
	flow_init_token
	step "P-256 token key pair (id 07)" \
		"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 07 --label ec --usage-sign
	step "AES-256 token key (id 08)" \
		"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id 08 --label aes --usage-decrypt
	step "read the P-256 public key" "${P11T[@]}" --read-object --type pubkey --id 07 -o ec.der &&
		step "openssl parses it" openssl pkey -pubin -inform DER -in ec.der -out "$S/ec.pem"
	head -c 64 /dev/urandom >"$S/pt"
	step "AES-CBC-PAD ciphertext for boot 2" \
		"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id 08 --iv $IV -i "$S/pt" -o "$S/aes.ct"
	ti serial >"$S/serial"
	step "hsmctl backup" hsmctl backup hsm0 "$S/token.bak" &&
		check "the backup file is there and not empty" "[ -s $S/token.bak ]"
	sync
	;;
2)
	step "empty the state directory (a fresh host)" bash -c "rm -rf $STATE/* $STATE/.[!.]* && [ -z \"\$(ls -A $STATE)\" ]"
	check "the token is not initialised after boot" "! $TOKINFO | grep -qx loaded=1"
	step_fails "hsmctl restore with a wrong SO PIN fails" "SO PIN incorrect" \
		env KHSM_SO_PIN=87654321 "$HSMCTL" --state-dir "$STATE" restore hsm0 "$S/token.bak" &&
		check "... with exit status 3" "env KHSM_SO_PIN=87654321 $HSMCTL --state-dir $STATE restore hsm0 $S/token.bak >/dev/null 2>&1; [ \$? = 3 ]"
	check "the failed restore left the token alone" \
		"! $TOKINFO | grep -qx loaded=1 && [ \"\$($TOKINFO | sed -n 's/^serial=//p')\" != \"$(cat "$S/serial")\" ]"
	check "the failed restore wrote nothing to the state directory" "[ -z \"\$(ls -A $STATE)\" ]"
	step_fails "C_Login to the unrestored token fails" "" "${P11T[@]}" "${L[@]}" -O
	step "hsmctl restore with the right SO PIN" \
		env KHSM_SO_PIN="$SO_PIN" "$HSMCTL" --state-dir "$STATE" restore hsm0 "$S/token.bak"
	check "restored token has the serial of boot 1" \
		"[ \"\$($TOKINFO | sed -n 's/^serial=//p')\" = \"$(cat "$S/serial")\" ]"
	check "restore wrote the state directory (hsm0 link, header)" \
		"[ -L $STATE/hsm0 ] && [ -f $STATE/hsm0/header ] && [ \$(ls $STATE/hsm0/*.obj | wc -l) = 3 ]"
	keys_work "restored"
	step "rmmod + insmod khsm" reload
	load_ok "the restored state" 3
	keys_work "reloaded"
	;;
esac
flow_end
