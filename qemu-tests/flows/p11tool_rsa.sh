#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool (OpenSC 0.23) with RSA: --keypairgen --key-type
# rsa:2048 on the token, the public key read back (--read-object --type
# pubkey) and used by OpenSSL to verify the token's SHA256-RSA-PKCS and
# SHA256-RSA-PKCS-PSS signatures (with negative controls), pkcs11-tool
# --verify on the token, an OpenSSL-encrypted RSA-PKCS-OAEP (SHA-256,
# MGF1-SHA256) message decrypted by the token, the private key sensitive
# and never extractable, --delete-object. Runs as hsmuser in the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
step "-M lists the RSA mechanisms" "${P11T[@]}" -M &&
	check "keygen, PKCS#1 v1.5, PSS and OAEP listed; no raw RSA" \
		'grep -q "RSA-PKCS-KEY-PAIR-GEN.*1024.*4096.*generate_key_pair" <<<"$OUT" && grep -q "RSA-PKCS, .*encrypt, decrypt.*sign.*verify" <<<"$OUT" && grep -q "SHA256-RSA-PKCS, .*sign, verify" <<<"$OUT" && grep -q "SHA256-RSA-PKCS-PSS.*sign, verify" <<<"$OUT" && grep -q "RSA-PKCS-OAEP.*encrypt, decrypt" <<<"$OUT" && ! grep -q "RSA-X-509" <<<"$OUT"'
step "pkcs11-tool --keypairgen --key-type rsa:2048" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type rsa:2048 --id 0e01 --label rsa1 \
	--usage-sign --usage-decrypt
step "-O lists the RSA private and public key" "${P11T[@]}" "${L[@]}" -O &&
	check "RSA 2048 keys with id 0e01" \
		'grep -q "Private Key Object; RSA" <<<"$OUT" && grep -q "Public Key Object; RSA 2048 bits" <<<"$OUT" && grep -c "ID: *0e01" <<<"$OUT" | grep -qx 2'
step "-O shows the private key's access flags" "${P11T[@]}" "${L[@]}" -O --type privkey &&
	check "private key is sensitive and never extractable" \
		'grep -A8 "Private Key Object" <<<"$OUT" | grep "Access:" | grep -q "sensitive.*never extractable"'

step "--read-object --type pubkey" \
	"${P11T[@]}" --read-object --type pubkey --id 0e01 -o pub.read &&
	step "openssl parses the public key read back from the token" \
		bash -c 'openssl pkey -pubin -inform DER -in pub.read -out pub.pem 2>/dev/null ||
			 openssl pkey -pubin -in pub.read -out pub.pem' &&
	step "openssl prints the public key" openssl pkey -pubin -in pub.pem -noout -text_pub &&
	check "public key is RSA 2048 with e = 65537" \
		'grep -q "Public-Key: (2048 bit)" <<<"$OUT" && grep -q "Exponent: 65537" <<<"$OUT"'

head -c 5000 /dev/urandom >msg
cp msg msg.bad
printf 'X' | dd of=msg.bad bs=1 seek=100 conv=notrunc status=none
step "--sign -m SHA256-RSA-PKCS" \
	"${P11T[@]}" "${L[@]}" --sign -m SHA256-RSA-PKCS --id 0e01 -i msg -o sig &&
	check "signature is 256 bytes" '[ "$(stat -c %s sig)" = 256 ]' &&
	step "openssl dgst -sha256 -verify accepts the token's signature" \
		openssl dgst -sha256 -verify pub.pem -signature sig msg &&
	step_fails "openssl rejects it over altered data (negative control)" \
		"Verification failure" openssl dgst -sha256 -verify pub.pem -signature sig msg.bad
step "a second signature of the same message" \
	"${P11T[@]}" "${L[@]}" --sign -m SHA256-RSA-PKCS --id 0e01 -i msg -o sig2 &&
	check "PKCS#1 v1.5 is deterministic: the same signature" 'cmp sig sig2'
step "pkcs11-tool --verify -m SHA256-RSA-PKCS" \
	"${P11T[@]}" "${L[@]}" --verify -m SHA256-RSA-PKCS --id 0e01 -i msg --signature-file sig &&
	check "the token says valid" 'grep -q "Signature is valid" <<<"$OUT"'
step "pkcs11-tool --verify over altered data" \
	"${P11T[@]}" "${L[@]}" --verify -m SHA256-RSA-PKCS --id 0e01 -i msg.bad --signature-file sig &&
	check "the token says invalid" 'grep -q "Invalid signature" <<<"$OUT" && ! grep -q "Signature is valid" <<<"$OUT"'

step "--sign -m SHA256-RSA-PKCS-PSS" \
	"${P11T[@]}" "${L[@]}" --sign -m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 \
	--id 0e01 -i msg -o psig &&
	check "signature is 256 bytes" '[ "$(stat -c %s psig)" = 256 ]' &&
	step "openssl verifies the PSS signature (salt = 32 bytes, MGF1-SHA256)" \
		openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
		-sigopt rsa_mgf1_md:sha256 -verify pub.pem -signature psig msg &&
	step_fails "openssl rejects it over altered data (negative control)" \
		"Verification failure" openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
		-sigopt rsa_pss_saltlen:32 -verify pub.pem -signature psig msg.bad
step "a second PSS signature of the same message" \
	"${P11T[@]}" "${L[@]}" --sign -m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 \
	--id 0e01 -i msg -o psig2 &&
	check "PSS salts are fresh: a different signature" '! cmp -s psig psig2'
step "pkcs11-tool --verify -m SHA256-RSA-PKCS-PSS" \
	"${P11T[@]}" "${L[@]}" --verify -m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 \
	--id 0e01 -i msg --signature-file psig &&
	check "the token says valid" 'grep -q "Signature is valid" <<<"$OUT"'

# OpenSSL encrypts to the token's public key, the token decrypts.
head -c 100 /dev/urandom >pt
step "openssl pkeyutl -encrypt (OAEP, SHA-256, MGF1-SHA256)" \
	openssl pkeyutl -encrypt -pubin -inkey pub.pem -in pt -out ct \
	-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 &&
	step "--decrypt -m RSA-PKCS-OAEP" \
		"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS-OAEP --hash-algorithm SHA256 \
		--mgf MGF1-SHA256 --id 0e01 -i ct -o pt.dec &&
	check "the token recovers the message" 'cmp pt pt.dec'
cp ct ct.bad
printf 'X' | dd of=ct.bad bs=1 seek=50 conv=notrunc status=none
step_fails "--decrypt of an altered ciphertext fails" "" \
	"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS-OAEP --hash-algorithm SHA256 \
	--mgf MGF1-SHA256 --id 0e01 -i ct.bad -o pt.bad
# PKCS#1 v1.5 encryption: OpenSSL encrypts, the token decrypts; a
# ciphertext with a bad v1.5 padding (the OAEP one) is not an error but
# implicit rejection: the same pseudo-random message each time.
step "openssl pkeyutl -encrypt (PKCS#1 v1.5)" \
	openssl pkeyutl -encrypt -pubin -inkey pub.pem -in pt -out ct15 \
	-pkeyopt rsa_padding_mode:pkcs1 &&
	step "--decrypt -m RSA-PKCS" \
		"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS --id 0e01 -i ct15 -o pt15.dec &&
	check "the token recovers the message" 'cmp pt pt15.dec'
step "--decrypt -m RSA-PKCS of a ciphertext with a bad v1.5 padding" \
	"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS --id 0e01 -i ct -o pt.ir1 &&
	step "the same ciphertext again" \
		"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS --id 0e01 -i ct -o pt.ir2 &&
	check "implicit rejection: no error, the same message twice, not the plaintext" \
		'cmp -s pt.ir1 pt.ir2 && ! cmp -s pt pt.ir1'

step "--delete-object --type privkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type privkey --id 0e01
step "--delete-object --type pubkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type pubkey --id 0e01
step "-O after delete" "${P11T[@]}" "${L[@]}" -O &&
	check "no key objects left" '! grep -q "Key Object" <<<"$OUT"'
flow_end
