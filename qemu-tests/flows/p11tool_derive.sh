#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool --derive (C_DeriveKey, CKM_ECDH1_DERIVE and
# CKM_ECDH1_COFACTOR_DERIVE with CKD_NULL): a P-256 token key pair made
# with --usage-derive and an OpenSSL key pair; the secret
# the token derives from OpenSSL's public key (passed raw, and as DER with
# --derive-pass-der) equals what `openssl pkeyutl -derive` computes from
# OpenSSL's private key and the token's public key. A peer key on another
# curve is refused; a key made with --usage-sign derives too (EC private
# keys sign and derive by default). (P-384 is
# checked against OpenSSL by p11_derive_test: Debian's pkcs11-tool 0.23
# answers "cannot create EVP_PKEY" to --read-object --type pubkey for any
# P-384 key, SoftHSM2's as well as khsm's, while P-256 and P-521 work.)
# Runs as hsmuser in the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
for c in prime256v1:0d01; do
	curve=${c%%:*}
	id=${c##*:}
	step "pkcs11-tool --keypairgen --key-type EC:$curve --usage-derive" \
		"${P11T[@]}" "${L[@]}" --keypairgen --key-type "EC:$curve" --id "$id" \
		--label "dh-$curve" --usage-derive
	step "--read-object --type pubkey ($curve)" \
		"${P11T[@]}" --read-object --type pubkey --id "$id" -o "tok-$curve.der" &&
		step "openssl reads the token's public key ($curve)" \
			openssl pkey -pubin -inform DER -in "tok-$curve.der" -out "tok-$curve.pem"
	step "openssl genpkey EC $curve (the peer)" \
		openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" -out "peer-$curve.pem" &&
		step "openssl writes the peer's public key as DER ($curve)" \
			openssl pkey -in "peer-$curve.pem" -pubout -outform DER -out "peer-$curve.der"
	step "openssl pkeyutl -derive (peer private, token public, $curve)" \
		openssl pkeyutl -derive -inkey "peer-$curve.pem" -peerkey "tok-$curve.pem" \
		-out "z-ossl-$curve.bin"
	step "pkcs11-tool --derive -m ECDH1-DERIVE ($curve, raw point)" \
		"${P11T[@]}" "${L[@]}" --derive -m ECDH1-DERIVE --id "$id" \
		-i "peer-$curve.der" -o "z-tok-$curve.bin" &&
		check "the token's secret is OpenSSL's ($curve)" \
			"cmp z-tok-$curve.bin z-ossl-$curve.bin"
	step "pkcs11-tool --derive --derive-pass-der ($curve, DER point)" \
		"${P11T[@]}" "${L[@]}" --derive --derive-pass-der -m ECDH1-DERIVE --id "$id" \
		-i "peer-$curve.der" -o "z-tok-der-$curve.bin" &&
		check "the same secret with the DER point ($curve)" \
			"cmp z-tok-der-$curve.bin z-ossl-$curve.bin"
	step "pkcs11-tool --derive -m ECDH1-COFACTOR-DERIVE ($curve)" \
		"${P11T[@]}" "${L[@]}" --derive -m ECDH1-COFACTOR-DERIVE --id "$id" \
		-i "peer-$curve.der" -o "z-tok-cof-$curve.bin" &&
		check "cofactor 1: the same secret ($curve)" \
			"cmp z-tok-cof-$curve.bin z-ossl-$curve.bin"
done

step "openssl genpkey EC secp384r1 (a peer on another curve)" \
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp384r1 -out peer-secp384r1.pem &&
	step "openssl writes its public key as DER" \
		openssl pkey -in peer-secp384r1.pem -pubout -outform DER -out peer-secp384r1.der
step_fails "a P-384 peer key for a P-256 token key is refused" \
	"CKR_MECHANISM_PARAM_INVALID\\|curve\\|size" \
	"${P11T[@]}" "${L[@]}" --derive -m ECDH1-DERIVE --id 0d01 \
	-i peer-secp384r1.der -o z-bad.bin
# EC private keys sign and derive by default (README, "usage defaults");
# the refusal of a key with CKA_DERIVE false is p11_derive_test's (pkcs11-tool
# has no option that sets it false).
step "pkcs11-tool --keypairgen EC:prime256v1 --usage-sign (CKA_DERIVE by default)" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 0d03 \
	--label signer --usage-sign
step "--derive with that key works: EC keys derive by default" \
	"${P11T[@]}" "${L[@]}" --derive -m ECDH1-DERIVE --id 0d03 \
	-i peer-prime256v1.der -o z-default.bin &&
	check "a 32-byte secret" '[ "$(stat -c %s z-default.bin)" = 32 ]'
flow_end
