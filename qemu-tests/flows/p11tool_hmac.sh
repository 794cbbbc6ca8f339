#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool: generic secret keys (--keygen --key-type
# GENERIC:64, as OpenSC's own test setup makes them, and GENERIC:32) and
# HMAC signatures with them (SHA256-HMAC, SHA512-HMAC, SHA-1-HMAC),
# verified on the token (a changed message refused) and, for an
# extractable key read back, recomputed by openssl mac. Runs as hsmuser in
# the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_init_token

L=(--login --pin "$USER_PIN")
head -c 100 /dev/urandom >data
cp data data2
printf x >>data2

step "pkcs11-tool --keygen --key-type GENERIC:64" \
	"${P11T[@]}" "${L[@]}" --keygen --key-type GENERIC:64 --id 0b01 --label hmac64 &&
	check "key is a 64-byte generic secret" \
		'grep -q "Secret Key Object; Generic secret length 64" <<<"$OUT"'

step "--sign -m SHA256-HMAC" \
	"${P11T[@]}" "${L[@]}" --sign -m SHA256-HMAC --id 0b01 -i data -o mac256 &&
	check "the MAC is 32 bytes" '[ "$(stat -c %s mac256)" = 32 ]' &&
	step "--verify -m SHA256-HMAC" \
		"${P11T[@]}" "${L[@]}" --verify -m SHA256-HMAC --id 0b01 -i data \
		--signature-file mac256 &&
	check "the token accepts its MAC" 'grep -q "Signature is valid" <<<"$OUT"' &&
	step "--verify -m SHA256-HMAC of a changed message" \
		"${P11T[@]}" "${L[@]}" --verify -m SHA256-HMAC --id 0b01 -i data2 \
		--signature-file mac256 &&
	check "the token refuses the MAC" 'grep -q "Invalid signature" <<<"$OUT"'

# An extractable key whose value OpenSSL can use.
step "--keygen --key-type GENERIC:32 --extractable" \
	"${P11T[@]}" "${L[@]}" --keygen --key-type GENERIC:32 --extractable \
	--id 0b02 --label hmac32 &&
	step "--read-object --type secrkey" \
		"${P11T[@]}" "${L[@]}" --read-object --type secrkey --id 0b02 -o k.bin &&
	check "the value is 32 bytes" '[ "$(stat -c %s k.bin)" = 32 ]'
KEYHEX=$(od -An -tx1 -v k.bin 2>/dev/null | tr -d ' \n')
for m in SHA256 SHA512 SHA-1; do
	md=${m/-/}
	step "--sign -m $m-HMAC with the 32-byte key" \
		"${P11T[@]}" "${L[@]}" --sign -m "$m-HMAC" --id 0b02 -i data -o "mac$md" &&
		check "openssl mac -digest $md HMAC gives the same MAC" \
			"openssl mac -digest $md -macopt hexkey:$KEYHEX -in data -binary HMAC | cmp - mac$md"
done

step "--delete-object --type secrkey" \
	"${P11T[@]}" "${L[@]}" --delete-object --type secrkey --id 0b01
flow_end
