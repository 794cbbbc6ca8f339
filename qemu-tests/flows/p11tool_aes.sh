#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool: AES-256 key generation on the token with
# encrypt/decrypt round trips (AES-CBC-PAD, AES-CBC), and an imported AES key
# cross-checked against OpenSSL in both directions; -M's AES-CTR and key
# wrap lines; -O and --delete-object.
# Runs as hsmuser in the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
IV=000102030405060708090a0b0c0d0e0f
head -c 100 /dev/urandom >data100
head -c 96 /dev/urandom >data96

step "pkcs11-tool --keygen --key-type AES:32" \
	"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id 0a01 --label aes1 --usage-decrypt &&
	check "key is a 32-byte AES secret key" 'grep -q "Secret Key Object; AES length 32" <<<"$OUT"'
step "-O lists the AES key" "${P11T[@]}" "${L[@]}" -O --type secrkey &&
	check "secret key aes1 listed" 'grep -q "label: *aes1" <<<"$OUT"'

step "--encrypt -m AES-CBC-PAD (100 bytes)" \
	"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id 0a01 --iv $IV -i data100 -o c100 &&
	check "ciphertext is 112 bytes and differs from the plaintext" \
		'[ "$(stat -c %s c100)" = 112 ] && ! cmp -s <(head -c 100 c100) data100' &&
	step "--decrypt -m AES-CBC-PAD" \
		"${P11T[@]}" "${L[@]}" --decrypt -m AES-CBC-PAD --id 0a01 --iv $IV -i c100 -o p100 &&
	check "AES-CBC-PAD round trip returns the plaintext" 'cmp data100 p100'

step "--encrypt -m AES-CBC (96 bytes, block multiple)" \
	"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC --id 0a01 --iv $IV -i data96 -o c96 &&
	check "AES-CBC ciphertext is 96 bytes" '[ "$(stat -c %s c96)" = 96 ]' &&
	step "--decrypt -m AES-CBC" \
		"${P11T[@]}" "${L[@]}" --decrypt -m AES-CBC --id 0a01 --iv $IV -i c96 -o p96 &&
	check "AES-CBC round trip returns the plaintext" 'cmp data96 p96'
step_fails "AES-CBC refuses a 100-byte (non block multiple) input" "CKR_" \
	"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC --id 0a01 --iv $IV -i data100 -o cbad

# pkcs11-tool 0.23 has no AES-GCM parameters (--aad/--tag-bits-len came in
# 0.24); the C tests in qemu-tests/p11 cover AES-GCM.
skip_step "AES-GCM round trip with pkcs11-tool" "pkcs11-tool 0.23 cannot pass GCM parameters"

# pkcs11-tool 0.23's --encrypt/--decrypt build parameters for AES-ECB, -CBC
# and -CBC-PAD only (any other -m is "illegal or not supported"); it lists
# the new AES mechanisms, which the C tests (crypto_test, p11_crypto_test)
# cross-check with OpenSSL. Key wrap is encryption and decryption and
# C_WrapKey/C_UnwrapKey (qemu-tests/p11/p11_wrap_test).
step "-M lists AES-CTR, AES-KEY-WRAP and AES-KEY-WRAP-KWP" "${P11T[@]}" -M &&
	check "AES-CTR: keySize={16,32}, encrypt, decrypt" \
		'grep -q "AES-CTR, keySize={16,32}, encrypt, decrypt$" <<<"$OUT"' &&
	check "AES-KEY-WRAP: encrypt, decrypt, wrap, unwrap" \
		'grep -q "AES-KEY-WRAP, keySize={16,32}, encrypt, decrypt, wrap, unwrap$" <<<"$OUT"' &&
	check "CKM_AES_KEY_WRAP_KWP (0x210B): encrypt, decrypt, wrap, unwrap" \
		'grep -q "mechtype-0x210B, keySize={16,32}, encrypt, decrypt, wrap, unwrap$" <<<"$OUT"'
skip_step "AES-CTR round trip with pkcs11-tool" "pkcs11-tool 0.23 cannot pass CK_AES_CTR_PARAMS"

# A known key, imported, gives ciphertext OpenSSL can check.
head -c 32 /dev/urandom >k.bin
KEYHEX=$(od -An -tx1 -v k.bin | tr -d ' \n')
step "--write-object of a known AES-256 key (secrkey)" \
	"${P11T[@]}" "${L[@]}" --write-object k.bin --type secrkey --key-type AES:32 \
	--id 0a02 --label aes-known --usage-decrypt &&
	step "token AES-CBC-PAD encrypt" \
		"${P11T[@]}" "${L[@]}" --encrypt -m AES-CBC-PAD --id 0a02 --iv $IV -i data100 -o ck &&
	check "openssl aes-256-cbc decrypts the token's ciphertext" \
		"openssl enc -d -aes-256-cbc -K $KEYHEX -iv $IV -in ck | cmp - data100" &&
	step "openssl aes-256-cbc encrypt" \
		openssl enc -aes-256-cbc -K "$KEYHEX" -iv "$IV" -in data100 -out co &&
	step "token AES-CBC-PAD decrypts OpenSSL's ciphertext" \
		"${P11T[@]}" "${L[@]}" --decrypt -m AES-CBC-PAD --id 0a02 --iv $IV -i co -o po &&
	check "plaintext matches" 'cmp data100 po'

step "--delete-object --type secrkey (generated key)" \
	"${P11T[@]}" "${L[@]}" --delete-object --type secrkey --id 0a01
step "--delete-object --type secrkey (imported key)" \
	"${P11T[@]}" "${L[@]}" --delete-object --type secrkey --id 0a02
step "-O after delete" "${P11T[@]}" "${L[@]}" -O &&
	check "no secret keys left" '! grep -q "Secret Key Object" <<<"$OUT"'
flow_end
