#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified pkcs11-tool against khsm-pkcs11.so: slot/token/mechanism
# listing, token and PIN initialisation, login (wrong PIN fails with
# CKR_PIN_INCORRECT), PIN change, random numbers, digests checked by OpenSSL.
# Runs as hsmuser (group hsm) in the VM.
. "$(dirname "$0")/tap.inc"
flow_require_module

step "pkcs11-tool -L lists a khsm slot" "${P11[@]}" -L &&
	check "-L shows a slot with a token" 'grep -q "Slot 0" <<<"$OUT"'
step "pkcs11-tool -T lists token slots" "${P11[@]}" -T
step "pkcs11-tool -I shows module info" "${P11[@]}" -I &&
	check "-I reports a Cryptoki version and manufacturer" \
		'grep -q "Cryptoki version" <<<"$OUT" && grep -qi manufacturer <<<"$OUT"'
step "pkcs11-tool -M lists mechanisms" "${P11[@]}" --slot-index 0 -M
export MECHS=$LAST_OUT
for m in SHA-1 SHA224 SHA256 SHA384 SHA512 AES-KEY-GEN AES-CBC AES-CBC-PAD AES-GCM \
	 ECDSA-KEY-PAIR-GEN ECDSA ECDSA-SHA256; do
	check "-M lists $m" "grep -qE '^ *$m[ ,]' <<<\"\$MECHS\""
done

flow_init_token
step "pkcs11-tool -T shows the initialised token" "${P11[@]}" -T &&
	check "token label is $LABEL and the user PIN is initialised" \
		'grep -q "$LABEL" <<<"$OUT" && grep -q "PIN initialized" <<<"$OUT"'

step "pkcs11-tool --login --pin (correct PIN)" "${P11T[@]}" --login --pin "$USER_PIN" -O
step_fails "pkcs11-tool --login with a wrong PIN fails with CKR_PIN_INCORRECT" \
	CKR_PIN_INCORRECT "${P11T[@]}" --login --pin 999999 -O
step_fails "SO login with a wrong SO PIN fails with CKR_PIN_INCORRECT" \
	CKR_PIN_INCORRECT "${P11T[@]}" --session-rw --login --login-type so --so-pin 87654321 -O
step "correct PIN still works after a failure" "${P11T[@]}" --login --pin "$USER_PIN" -O
step "pkcs11-tool --change-pin" \
	"${P11T[@]}" --login --pin "$USER_PIN" --change-pin --new-pin 2468024
step_fails "old PIN is refused after --change-pin" \
	CKR_PIN_INCORRECT "${P11T[@]}" --login --pin "$USER_PIN" -O
step "new PIN logs in" "${P11T[@]}" --login --pin 2468024 -O

step "pkcs11-tool --generate-random 64" "${P11T[@]}" --generate-random 64 -o rnd1 &&
	step "second --generate-random 64" "${P11T[@]}" --generate-random 64 -o rnd2 &&
	check "random outputs are 64 bytes and differ" \
		"[ \$(stat -c %s rnd1) = 64 ] && [ \$(stat -c %s rnd2) = 64 ] && ! cmp -s rnd1 rnd2"

head -c 1000 /dev/urandom >data
for h in SHA-1:sha1 SHA224:sha224 SHA256:sha256 SHA384:sha384 SHA512:sha512; do
	mech=${h%%:*}
	ossl=${h##*:}
	step "pkcs11-tool --hash -m $mech" "${P11T[@]}" --hash -m "$mech" -i data -o "h.$ossl" &&
		check "$mech digest equals openssl dgst -$ossl" \
			"openssl dgst -$ossl -binary data | cmp - h.$ossl"
done
: >empty
step "pkcs11-tool --hash -m SHA256 of empty input" "${P11T[@]}" --hash -m SHA256 -i empty -o h.empty &&
	check "SHA256 of empty input equals openssl" "openssl dgst -sha256 -binary empty | cmp - h.empty"

flow_end
