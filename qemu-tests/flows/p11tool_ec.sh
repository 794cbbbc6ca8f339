#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool: EC P-256 and P-521 key pair generation on the token, ECDSA
# and ECDSA-SHA256 signatures verified by OpenSSL with the public key read
# back from the token (plus negative controls), the private key never
# readable, -O listing and --delete-object; an OpenSSL P-521 key pair
# imported with --write-object and used both ways. Runs as hsmuser in the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
step "pkcs11-tool --keypairgen --key-type EC:prime256v1" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 0e01 --label ec1 --usage-sign
step "-O lists the EC private and public key" "${P11T[@]}" "${L[@]}" -O &&
	check "private and public EC key with id 0e01 listed" \
		'grep -q "Private Key Object; EC" <<<"$OUT" && grep -q "Public Key Object; EC" <<<"$OUT" && grep -c "ID: *0e01" <<<"$OUT" | grep -qx 2'
step "-O without login shows the public key only" "${P11T[@]}" -O &&
	check "private key invisible without login" \
		'! grep -q "Private Key Object" <<<"$OUT" && grep -q "Public Key Object; EC" <<<"$OUT"'

step "--read-object --type pubkey (DER SubjectPublicKeyInfo)" \
	"${P11T[@]}" --read-object --type pubkey --id 0e01 -o pub.der &&
	step "openssl parses the public key read back from the token" \
		openssl pkey -pubin -inform DER -in pub.der -out pub.pem &&
	step "openssl prints the public key" openssl pkey -pubin -in pub.pem -noout -text_pub &&
	check "public key is on prime256v1" 'grep -q "prime256v1\|P-256" <<<"$OUT"'
step "-O shows the private key's access flags" "${P11T[@]}" "${L[@]}" -O --type privkey &&
	check "private key is sensitive and never extractable" \
		'grep -A8 "Private Key Object" <<<"$OUT" | grep "Access:" | grep -q "sensitive.*never extractable"'

head -c 3000 /dev/urandom >msg
cp msg msg.bad
printf 'X' | dd of=msg.bad bs=1 seek=100 conv=notrunc status=none
step "--sign -m ECDSA-SHA256 (openssl signature format)" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id 0e01 -i msg -o sig256.der \
	--signature-format openssl &&
	step "openssl dgst -sha256 -verify accepts the ECDSA-SHA256 signature" \
		openssl dgst -sha256 -verify pub.pem -signature sig256.der msg &&
	step_fails "openssl rejects that signature over altered data (negative control)" \
		"Verification failure" openssl dgst -sha256 -verify pub.pem -signature sig256.der msg.bad &&
	step "pkcs11-tool --verify accepts the token's own ECDSA-SHA256 signature" \
		"${P11T[@]}" "${L[@]}" --verify -m ECDSA-SHA256 --id 0e01 -i msg \
		--signature-file sig256.der --signature-format openssl

openssl dgst -sha256 -binary msg >msg.sha256
openssl dgst -sha256 -binary msg.bad >msg.bad.sha256
step "--sign -m ECDSA over a SHA-256 digest" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA --id 0e01 -i msg.sha256 -o sigraw.der \
	--signature-format openssl &&
	step "openssl pkeyutl -verify accepts the raw ECDSA signature" \
		openssl pkeyutl -verify -pubin -inkey pub.pem -in msg.sha256 -sigfile sigraw.der &&
	step_fails "openssl rejects it for another digest (negative control)" \
		"Verification Failure" openssl pkeyutl -verify -pubin -inkey pub.pem \
		-in msg.bad.sha256 -sigfile sigraw.der
step "--sign -m ECDSA (default r||s format)" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA --id 0e01 -i msg.sha256 -o sigrs.bin &&
	check "r||s signature is 64 bytes" '[ "$(stat -c %s sigrs.bin)" = 64 ]' &&
	step "two ECDSA signatures of the same digest differ (fresh nonce)" \
		"${P11T[@]}" "${L[@]}" --sign -m ECDSA --id 0e01 -i msg.sha256 -o sigrs2.bin &&
	check "signatures differ" '! cmp -s sigrs.bin sigrs2.bin'

step "--delete-object --type privkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type privkey --id 0e01
step "--delete-object --type pubkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type pubkey --id 0e01
step "-O after delete" "${P11T[@]}" "${L[@]}" -O &&
	check "no key objects left" '! grep -q "Key Object" <<<"$OUT"'

# P-521: the point is a long-form OCTET STRING (04 81 85 04 X Y)
step "pkcs11-tool --keypairgen --key-type EC:secp521r1" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:secp521r1 --id 0e05 --label ec521 --usage-sign
step "--read-object --type pubkey of the P-521 key" \
	"${P11T[@]}" --read-object --type pubkey --id 0e05 -o pub521.der &&
	step "openssl parses the P-521 public key" \
		openssl pkey -pubin -inform DER -in pub521.der -out pub521.pem &&
	step "openssl prints the P-521 public key" openssl pkey -pubin -in pub521.pem -noout -text_pub &&
	check "public key is on secp521r1" 'grep -q "secp521r1\|P-521" <<<"$OUT"'
step "--sign -m ECDSA-SHA512 with the P-521 key (openssl format)" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA512 --id 0e05 -i msg -o sig521.der \
	--signature-format openssl &&
	step "openssl dgst -sha512 -verify accepts the P-521 signature" \
		openssl dgst -sha512 -verify pub521.pem -signature sig521.der msg &&
	step_fails "openssl rejects it over altered data (negative control)" \
		"Verification failure" openssl dgst -sha512 -verify pub521.pem -signature sig521.der msg.bad &&
	step "pkcs11-tool --verify accepts the token's own P-521 signature" \
		"${P11T[@]}" "${L[@]}" --verify -m ECDSA-SHA512 --id 0e05 -i msg \
		--signature-file sig521.der --signature-format openssl
openssl dgst -sha512 -binary msg >msg.sha512
step "--sign -m ECDSA over a SHA-512 digest with the P-521 key" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA --id 0e05 -i msg.sha512 -o sig521.bin &&
	check "P-521 r||s signature is 132 bytes" '[ "$(stat -c %s sig521.bin)" = 132 ]'
step "--sign -m ECDSA (openssl format) with the P-521 key" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA --id 0e05 -i msg.sha512 -o sig521raw.der \
	--signature-format openssl &&
	step "openssl pkeyutl -verify accepts the raw P-521 ECDSA signature" \
		openssl pkeyutl -verify -pubin -inkey pub521.pem -in msg.sha512 -sigfile sig521raw.der

# an OpenSSL P-521 key pair imported into the token, used both ways
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out ossl521.pem 2>/dev/null
openssl pkey -in ossl521.pem -outform DER -out ossl521.der 2>/dev/null
openssl pkey -in ossl521.pem -pubout -outform DER -out ossl521pub.der 2>/dev/null
openssl pkey -in ossl521.pem -pubout -out ossl521pub.pem 2>/dev/null
step "--write-object an OpenSSL P-521 private key" \
	"${P11T[@]}" "${L[@]}" --write-object ossl521.der --type privkey --id 0e06 --label ossl521 --usage-sign
step "--write-object its public key" \
	"${P11T[@]}" "${L[@]}" --write-object ossl521pub.der --type pubkey --id 0e06 --label ossl521
step "--sign -m ECDSA-SHA512 with the imported P-521 key" \
	"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA512 --id 0e06 -i msg -o sig521i.der \
	--signature-format openssl &&
	step "openssl verifies the imported key's signature" \
		openssl dgst -sha512 -verify ossl521pub.pem -signature sig521i.der msg
openssl dgst -sha512 -sign ossl521.pem -out sig521o.der msg
step "pkcs11-tool --verify accepts an OpenSSL P-521 signature with the imported public key" \
	"${P11T[@]}" "${L[@]}" --verify -m ECDSA-SHA512 --id 0e06 -i msg \
	--signature-file sig521o.der --signature-format openssl
step "--delete-object the P-521 keys" \
	"${P11T[@]}" "${L[@]}" --delete-object --type privkey --id 0e05
flow_end
