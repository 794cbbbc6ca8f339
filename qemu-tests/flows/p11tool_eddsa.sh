#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool (OpenSC 0.23): Ed25519 key pair generation on the
# token (--key-type EC:edwards25519, which names the curve by the DER
# PrintableString "edwards25519"), CKM_EDDSA signatures verified by OpenSSL
# (pkeyutl -rawin) with the public key read back from the token, plus
# negative controls, pkcs11-tool --verify on the token, the private key
# sensitive and never extractable, --delete-object. Runs as hsmuser in the VM.
#
# The other direction: OpenSSL makes a key and signs; GnuTLS p11tool
# imports its public and private key (OpenSC 0.23's --write-object refuses
# Ed25519 keys: "Unsupported key type: 0x43F"); the token verifies
# OpenSSL's signature and, with the imported seed, signs exactly as
# OpenSSL did.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
step "-M lists EDDSA and EC-EDWARDS-KEY-PAIR-GEN" "${P11T[@]}" -M &&
	check "both EdDSA mechanisms listed with their flags" \
		'grep -q "EC-EDWARDS-KEY-PAIR-GEN.*generate_key_pair" <<<"$OUT" && grep -q "EDDSA.*sign, verify" <<<"$OUT"'
step "pkcs11-tool --keypairgen --key-type EC:edwards25519" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:edwards25519 --id 0d01 --label ed1 --usage-sign
step "-O lists the Ed25519 private and public key" "${P11T[@]}" "${L[@]}" -O &&
	check "EC_EDWARDS keys with id 0d01, a 34-byte DER EC_POINT" \
		'grep -q "Private Key Object; EC_EDWARDS" <<<"$OUT" && grep -q "Public Key Object; EC_EDWARDS" <<<"$OUT" && grep -c "ID: *0d01" <<<"$OUT" | grep -qx 2 && grep -Eq "EC_POINT: *0420[0-9a-f]{64}$" <<<"$OUT"'
step "-O shows the private key's access flags" "${P11T[@]}" "${L[@]}" -O --type privkey &&
	check "private key is sensitive and never extractable" \
		'grep -A8 "Private Key Object" <<<"$OUT" | grep "Access:" | grep -q "sensitive.*never extractable"'

# pkcs11-tool writes Edwards public keys as PEM SubjectPublicKeyInfo.
step "--read-object --type pubkey" \
	"${P11T[@]}" --read-object --type pubkey --id 0d01 -o pub.read &&
	step "openssl parses the public key read back from the token" \
		openssl pkey -pubin -in pub.read -out pub.pem &&
	step "openssl prints the public key" openssl pkey -pubin -in pub.pem -noout -text_pub &&
	check "public key is ED25519" 'grep -q "ED25519 Public-Key" <<<"$OUT"'

head -c 3000 /dev/urandom >msg
cp msg msg.bad
printf 'X' | dd of=msg.bad bs=1 seek=100 conv=notrunc status=none
step "--sign --mechanism EDDSA" \
	"${P11T[@]}" "${L[@]}" --sign --mechanism EDDSA --id 0d01 -i msg -o sig &&
	check "signature is 64 bytes" '[ "$(stat -c %s sig)" = 64 ]' &&
	step "openssl pkeyutl -verify -rawin accepts the token's signature" \
		openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg -sigfile sig &&
	step_fails "openssl rejects it over altered data (negative control)" \
		"Verification Failure" openssl pkeyutl -verify -pubin -inkey pub.pem \
		-rawin -in msg.bad -sigfile sig
cp sig sig.bad
printf 'X' | dd of=sig.bad bs=1 seek=10 conv=notrunc status=none
step_fails "openssl rejects an altered signature (negative control)" \
	"Verification Failure" openssl pkeyutl -verify -pubin -inkey pub.pem \
	-rawin -in msg -sigfile sig.bad
step "a second signature of the same message" \
	"${P11T[@]}" "${L[@]}" --sign --mechanism EDDSA --id 0d01 -i msg -o sig2 &&
	check "Ed25519 is deterministic: the same signature" 'cmp sig sig2'
# (An empty message is covered by p11_eddsa_test's RFC 8032 TEST 1:
# OpenSSL 3.0's pkeyutl -rawin cannot read empty input.)

# pkcs11-tool --verify exits 0 either way; its verdict is in the output.
step "pkcs11-tool --verify with the token's signature" \
	"${P11T[@]}" "${L[@]}" --verify --mechanism EDDSA --id 0d01 -i msg --signature-file sig &&
	check "the token says valid" 'grep -q "Signature is valid" <<<"$OUT"'
step "pkcs11-tool --verify with an altered signature" \
	"${P11T[@]}" "${L[@]}" --verify --mechanism EDDSA --id 0d01 -i msg --signature-file sig.bad &&
	check "the token says invalid" 'grep -q "Invalid signature" <<<"$OUT" && ! grep -q "Signature is valid" <<<"$OUT"'

# OpenSSL -> token
step "openssl genpkey -algorithm ed25519" openssl genpkey -algorithm ed25519 -out ossl.pem &&
	step "openssl pkey -pubout" openssl pkey -in ossl.pem -pubout -out osslpub.pem &&
	step "openssl pkeyutl -sign -rawin" \
		openssl pkeyutl -sign -inkey ossl.pem -rawin -in msg -out osig
export GNUTLS_PIN=$USER_PIN
step "p11tool --write --load-pubkey (OpenSSL's Ed25519 public key)" \
	p11tool --provider "$MOD" --login --write --load-pubkey osslpub.pem \
	--label osslpub --id 0d02 "pkcs11:token=$LABEL" &&
	step "pkcs11-tool --verify: the token checks OpenSSL's signature" \
		"${P11T[@]}" "${L[@]}" --verify --mechanism EDDSA --id 0d02 -i msg \
		--signature-file osig &&
	check "the token says valid" 'grep -q "Signature is valid" <<<"$OUT"' &&
	step "pkcs11-tool --verify: OpenSSL's signature over altered data" \
		"${P11T[@]}" "${L[@]}" --verify --mechanism EDDSA --id 0d02 -i msg.bad \
		--signature-file osig &&
	check "the token says invalid" 'grep -q "Invalid signature" <<<"$OUT"'
step "p11tool --write --load-privkey (OpenSSL's Ed25519 seed)" \
	p11tool --provider "$MOD" --login --write --load-privkey ossl.pem \
	--label osslpriv --id 0d03 "pkcs11:token=$LABEL" &&
	step "--sign --mechanism EDDSA with the imported key" \
		"${P11T[@]}" "${L[@]}" --sign --mechanism EDDSA --id 0d03 -i msg -o tsig &&
	check "the token's signature equals OpenSSL's" 'cmp tsig osig'
for id in 0d02 0d03; do
	"${P11T[@]}" "${L[@]}" --delete-object --type pubkey --id $id >/dev/null 2>&1
	"${P11T[@]}" "${L[@]}" --delete-object --type privkey --id $id >/dev/null 2>&1
done

step "--delete-object --type privkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type privkey --id 0d01
step "--delete-object --type pubkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type pubkey --id 0d01
step "-O after delete" "${P11T[@]}" "${L[@]}" -O &&
	check "no key objects left" '! grep -q "Key Object" <<<"$OUT"'
flow_end
