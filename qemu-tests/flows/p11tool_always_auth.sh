#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool and CKA_ALWAYS_AUTHENTICATE: --keypairgen
# --always-auth makes an EC key that needs a context-specific login per
# use; -O shows it; --sign (which logs in with CKU_CONTEXT_SPECIFIC after
# C_SignInit when the key asks for it) signs, twice, and OpenSSL verifies
# both signatures; OpenSC's pkcs11-spy shows the C_Login(CKU_CONTEXT_SPECIFIC)
# between C_SignInit and C_Sign; a context-specific login without an
# operation waiting for it fails with CKR_OPERATION_NOT_INITIALIZED. The refusals without
# the re-login are in p11_always_auth_test. Runs as hsmuser in the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
step "pkcs11-tool --keypairgen --always-auth (EC P-256)" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id a1 \
	--label always --usage-sign --always-auth
step "-O shows the private key" "${P11T[@]}" "${L[@]}" -O --type privkey &&
	check "the private key is marked always authenticate" \
		'grep -A10 "Private Key Object" <<<"$OUT" | grep -qi "always auth"'
step "--read-object --type pubkey" \
	"${P11T[@]}" --read-object --type pubkey --id a1 -o pub.der &&
	step "openssl reads the public key" \
		openssl pkey -pubin -inform DER -in pub.der -out pub.pem

head -c 2000 /dev/urandom >msg
for n in 1 2; do
	step "--sign -m ECDSA-SHA256 with the context-specific login ($n)" \
		"${P11T[@]}" "${L[@]}" --sign -m ECDSA-SHA256 --id a1 -i msg \
		-o "sig$n.der" --signature-format openssl &&
		step "openssl verifies signature $n" \
			openssl dgst -sha256 -verify pub.pem -signature "sig$n.der" msg
done
# OpenSC's pkcs11-spy between pkcs11-tool and the module shows the calls:
# C_SignInit, then C_Login with CKU_CONTEXT_SPECIFIC, then C_Sign.
SPY=/usr/lib/x86_64-linux-gnu/pkcs11-spy.so
if [ -r "$SPY" ]; then
	step "--sign through pkcs11-spy" env PKCS11SPY="$MOD" PKCS11SPY_OUTPUT="$W/spy.log" \
		pkcs11-tool --module "$SPY" --token-label "$LABEL" "${L[@]}" --sign \
		-m ECDSA-SHA256 --id a1 -i msg -o sig3.der --signature-format openssl &&
		step "openssl verifies the spied signature" \
			openssl dgst -sha256 -verify pub.pem -signature sig3.der msg
	# (2000 bytes: pkcs11-tool signs with C_SignUpdate and C_SignFinal)
	LAST_OUT=$(grep -E '^[0-9]+: C_|userType|^Returned' "$W/spy.log" 2>&1 | tail -n 20)
	_show "$LAST_OUT"
	check "C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC) = CKR_OK, C_SignUpdate/C_SignFinal = CKR_OK in that order" \
		'tr "\n" " " <<<"$OUT" | grep -qE "C_SignInit .*C_Login .*CKU_CONTEXT_SPECIFIC .*Returned: +0 CKR_OK .*C_Sign(Update)? .*Returned: +0 CKR_OK .*C_SignFinal .*Returned: +0 CKR_OK"'
else
	skip_step "pkcs11-spy call trace" "$SPY missing"
fi
step_fails "a context-specific login with no operation waiting fails" \
	CKR_OPERATION_NOT_INITIALIZED \
	"${P11T[@]}" --login --login-type context-specific --pin "$USER_PIN" -O
flow_end
