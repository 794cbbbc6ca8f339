#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Token keys survive a module reload and a reboot (issue 15, tests (a)).
# Boot 1: pkcs11-tool makes RSA-2048, P-256, Ed25519 and AES-256 token keys
# with persistence on (the state directory on the disk image); their public
# keys, signatures and ciphertexts made before are kept in $KHSM_SCRATCH.
# Then rmmod, insmod, hsmctl load: the same CKA_IDs sign (verified by
# OpenSSL with the public keys read before) and decrypt (RSA: OpenSSL's
# ciphertext; AES: the token's ciphertext from before).
# Boot 2 (same disk): hsmctl load and the same checks.
# khsm-persist: boots 2
# khsm-test: timeout 600
. "$(dirname "$0")/persist.inc"
persist_require
S=$KHSM_SCRATCH
IV=000102030405060708090a0b0c0d0e0f

# The keys do their work; the reference files are in $S.
use_keys() {
	local when=$1
	step "$when: user login unlocks the loaded token" "${P11T[@]}" "${L[@]}" -O &&
		check "$when: token no longer LOCKED, not TAMPERED, nothing refused" \
			"$TOKINFO | grep -qx locked=0 && $TOKINFO | grep -qx tampered=0 && $TOKINFO | grep -qx refused=0"
	head -c 3000 /dev/urandom >msg
	step "$when: RSA (id 01) signs SHA256-RSA-PKCS" \
		"${P11T[@]}" "${L[@]}" --sign -m SHA256-RSA-PKCS --id 01 -i msg -o rsa.sig &&
		step "$when: OpenSSL verifies it with the RSA public key from before" \
			openssl dgst -sha256 -verify "$S/rsa.pem" -signature rsa.sig msg
	step "$when: RSA (id 01) decrypts OpenSSL's PKCS#1 v1.5 ciphertext from before" \
		"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS --id 01 -i "$S/rsa.ct" -o rsa.pt &&
		check "$when: RSA plaintext is the original" "cmp rsa.pt $S/pt"
	step "$when: P-256 (id 02) signs ECDSA-SHA256" \
		"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id 02 -i msg -o ec.sig \
		--signature-format openssl &&
		step "$when: OpenSSL verifies it with the P-256 public key from before" \
			openssl dgst -sha256 -verify "$S/ec.pem" -signature ec.sig msg
	step "$when: Ed25519 (id 03) signs EDDSA" \
		"${P11T[@]}" "${L[@]}" --sign --mechanism EDDSA --id 03 -i msg -o ed.sig &&
		step "$when: OpenSSL verifies it with the Ed25519 public key from before" \
			openssl pkeyutl -verify -pubin -inkey "$S/ed.pem" -rawin -in msg -sigfile ed.sig
	step "$when: AES (id 04) decrypts its AES-CBC-PAD ciphertext from before" \
		"${P11T[@]}" "${L[@]}" --decrypt -m AES-CBC-PAD --id 04 --iv $IV -i "$S/aes.ct" -o aes.pt &&
		check "$when: AES plaintext is the original" "cmp aes.pt $S/pt"
	step "$when: AES (id 04) encrypts to the same ciphertext as before" \
		"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id 04 --iv $IV -i "$S/pt" -o aes.ct2 &&
		check "$when: same AES key (same ciphertext)" "cmp aes.ct2 $S/aes.ct"
}

pubkey() { # ID NAME: read the public key into $S/NAME.pem
	step "read the public key of id $1" \
		"${P11T[@]}" --read-object --type pubkey --id "$1" -o "$2.der" &&
		step "openssl parses public key $1" \
			bash -c "openssl pkey -pubin -inform DER -in $2.der -out $S/$2.pem 2>/dev/null ||
				 openssl pkey -pubin -in $2.der -out $S/$2.pem"
}

case ${1:-1} in
1)
	flow_init_token
	step "RSA-2048 token key pair (id 01)" \
		"${P11T[@]}" "${L[@]}" --keypairgen --key-type rsa:2048 --id 01 --label rsa \
		--usage-sign --usage-decrypt
	step "P-256 token key pair (id 02)" \
		"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 02 --label ec \
		--usage-sign
	step "Ed25519 token key pair (id 03)" \
		"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:edwards25519 --id 03 --label ed \
		--usage-sign
	step "AES-256 token key (id 04)" \
		"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id 04 --label aes \
		--usage-decrypt
	pubkey 01 rsa
	pubkey 02 ec
	pubkey 03 ed
	head -c 100 /dev/urandom >"$S/pt"
	step "OpenSSL encrypts to the RSA key (PKCS#1 v1.5)" \
		openssl pkeyutl -encrypt -pubin -inkey "$S/rsa.pem" -in "$S/pt" -out "$S/rsa.ct" \
		-pkeyopt rsa_padding_mode:pkcs1
	step "AES key encrypts (AES-CBC-PAD)" \
		"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id 04 --iv $IV -i "$S/pt" -o "$S/aes.ct"
	step "state directory has the token's header and 7 object files" \
		bash -c "ls -l $STATE $STATE/*/ && [ \$(ls $STATE/hsm0/*.obj | wc -l) = 7 ] && [ -f $STATE/hsm0/header ]"
	sync
	step "rmmod + insmod khsm: an empty token" reload
	check "the reloaded token is not initialised (no state yet)" \
		"! $TOKINFO | grep -qx loaded=1"
	load_ok "after the module reload" 7
	use_keys "after reload"
	;;
2)
	check "boot 2 sees the files of boot 1" "[ -s $S/rsa.pem ] && [ -s $S/aes.ct ] && [ -L $STATE/hsm0 ]"
	load_ok "after the reboot" 7
	check "TOKEN_INFO says LOADED" "$TOKINFO | grep -qx loaded=1"
	step "the public keys are listed before any login" "${P11T[@]}" -O --type pubkey &&
		check "three public keys (ids 01 02 03)" \
			'[ "$(grep -c "Public Key Object" <<<"$OUT")" = 3 ]'
	use_keys "after reboot"
	;;
esac
flow_end
