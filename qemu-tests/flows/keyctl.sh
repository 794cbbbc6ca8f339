#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khsm-test: root
#
# The keyctl tool end to end, as a user would (kmod/keytype.c): hsmuser
# (group hsm) makes token key pairs, EC P-256 and RSA-2048 with
# CKA_KHSM_KEYRING_USE true (qemu-tests/tools/kr_keygen: pkcs11-tool sets
# no vendor attribute) and one EC pair with pkcs11-tool (the attribute's
# default, false); keyctl show, search, describe, rdescribe list them in
# the token keyring "khsm:hsm0"; keyctl read/pipe of a public key is the
# SubjectPublicKeyInfo pkcs11-tool --read-object gives; reading a private
# key fails; pkey_query, pkey_sign (ECDSA x962 and RSA pkcs1 over a
# SHA-256 digest) verified by OpenSSL, RSA encrypt/decrypt both ways with
# OpenSSL and pkcs11-tool; refused, with the errno keyctl prints: the key
# without the attribute, a user outside the group, no user logged in,
# revoke/link/setperm/chown by a member; --delete-object takes the key out
# of the keyring. Root only switches users (setpriv).
. "$(dirname "$0")/tap.inc"
flow_require_module
KG=$FLOW_REPO/qemu-tests/build/tools/kr_keygen
if [ ! -x "$KG" ]; then
	echo "1..0 # SKIP $KG not built (make -C qemu-tests)"
	exit 0
fi
chown hsmuser "$W"
chmod 755 "$W"
AS=(setpriv --reuid=hsmuser --regid=hsmuser --init-groups env HOME=/home/hsmuser USER=hsmuser)
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
P11=("${AS[@]}" "${P11[@]}")
P11T=("${AS[@]}" "${P11T[@]}")
L=(--login --pin "$USER_PIN")
HOLD=
cleanup() {
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null && wait "$HOLD" 2>/dev/null
	cd / && rm -rf "$W"
}
trap cleanup EXIT
flow_init_token

step "kr_keygen: EC P-256 pair kr-ec (id 0c01) with CKA_KHSM_KEYRING_USE" \
	"${AS[@]}" "$KG" gen ec kr-ec 0c01 "$USER_PIN"
step "kr_keygen: RSA-2048 pair kr-rsa (id 0c02) with CKA_KHSM_KEYRING_USE" \
	"${AS[@]}" "$KG" gen rsa kr-rsa 0c02 "$USER_PIN"
step "pkcs11-tool --keypairgen EC p11-ec (id 0c03, no keyring use)" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 0c03 \
	--label p11-ec --usage-sign

MODRING=$(cat /sys/module/khsm/parameters/keyring)
step "keyctl search: the token keyring khsm:hsm0 in the module keyring $MODRING" \
	"${AS[@]}" keyctl search "$MODRING" keyring khsm:hsm0
RING=$LAST_OUT
step "keyctl show of the module keyring (as hsmuser)" "${AS[@]}" keyctl show "$MODRING" &&
	check "it lists the token keyring and the six keys" \
		'for k in kr-ec:priv kr-ec:pub kr-rsa:priv kr-rsa:pub p11-ec:priv p11-ec:pub; do grep -q "khsm: .*:$k:" <<<"$OUT" || { echo "no $k"; exit 1; }; done; grep -q "keyring: khsm:hsm0" <<<"$OUT"'

# key_of LABEL CLASS: serial of the token key (keyctl rlist, rdescribe)
key_of() {
	local k
	for k in $(keyctl rlist "$RING"); do
		keyctl rdescribe "$k" 2>/dev/null | grep -q ":$1:$2:[0-9a-f]*$" && echo "$k"
	done
}
EPRIV=$(key_of kr-ec priv) EPUB=$(key_of kr-ec pub)
RPRIV=$(key_of kr-rsa priv) RPUB=$(key_of kr-rsa pub)
PPRIV=$(key_of p11-ec priv)
check "keyctl rlist + rdescribe find the five keys ($EPRIV $EPUB $RPRIV $RPUB $PPRIV)" \
	"[ -n '$EPRIV' ] && [ -n '$EPUB' ] && [ -n '$RPRIV' ] && [ -n '$RPUB' ] && [ -n '$PPRIV' ]"
step "keyctl describe of the EC public key" "${AS[@]}" keyctl describe "$EPUB" &&
	check "khsm key, root-owned, group hsm, id 0c01, label kr-ec" \
		"grep -Eq '^ *$EPUB: [-a-z]+ +0 +${KHSM_GID:-[0-9]+} khsm: [^:]+:0c01:kr-ec:pub:[0-9a-f]+\$' <<<\"\$OUT\""
step "keyctl rdescribe of the EC private key" "${AS[@]}" keyctl rdescribe "$EPRIV" &&
	check "type;uid;gid;perm;description" \
		"grep -Eq '^khsm;0;${KHSM_GID:-[0-9]+};[0-9a-f]{8};[^:]+:0c01:kr-ec:priv:[0-9a-f]+\$' <<<\"\$OUT\""
DESC=$(keyctl rdescribe "$EPRIV" | cut -d';' -f5-)
step "keyctl search of the token keyring by that description" \
	"${AS[@]}" keyctl search "$RING" khsm "$DESC" &&
	check "it finds the same key" "[ \"\$OUT\" = $EPRIV ]"

step "keyctl read of the EC public key (hex)" "${AS[@]}" keyctl read "$EPUB" &&
	check "91 bytes" 'grep -q "^91 bytes of data in key:" <<<"$OUT"'
step "keyctl pipe of the EC public key" "${AS[@]}" bash -c "keyctl pipe $EPUB >ec.der" &&
	step "openssl pkey -pubin -inform DER accepts it" \
		openssl pkey -pubin -inform DER -in ec.der -noout -text_pub &&
	check "a P-256 key" 'grep -q "prime256v1\|P-256" <<<"$OUT"'
step "pkcs11-tool --read-object of the same public key" \
	"${P11T[@]}" --read-object --type pubkey --id 0c01 -o "$W/p11ec.der" &&
	step "keyctl pipe and pkcs11-tool give the same SPKI" cmp ec.der p11ec.der
step_fails "keyctl read of the EC private key is refused" "Permission denied" \
	"${AS[@]}" keyctl pipe "$EPRIV"

head -c 1000 /dev/urandom >msg
openssl dgst -sha256 -binary msg >dgst
printf 'other' | openssl dgst -sha256 -binary >dgst2
chmod 644 msg dgst dgst2

step_fails "pkey_sign with no user logged in: refused" "Permission denied" \
	"${AS[@]}" keyctl pkey_sign "$EPRIV" 0 dgst enc=x962 hash=sha256
check "dmesg names the reason" \
	"dmesg | grep -q 'keyring use of key $EPRIV by uid [0-9]* (keyctl) refused: no user logged in'"
step "pkey_query of the public key works without a login" \
	"${AS[@]}" keyctl pkey_query "$EPUB" 0 enc=x962 &&
	check "key_size=256, verify allowed" 'grep -q "key_size=256" <<<"$OUT" && grep -q "^verify=y" <<<"$OUT"'

# A process of hsmuser keeps a user login (as an application would).
"${AS[@]}" "$KG" hold "$W/held" "$USER_PIN" &
HOLD=$!
for _ in $(seq 100); do [ -e "$W/held" ] && break; sleep 0.2; done
check "kr_keygen hold: a user session is logged in" "[ -e '$W/held' ]"

step "keyctl pkey_query of the EC private key" "${AS[@]}" keyctl pkey_query "$EPRIV" 0 enc=x962 &&
	check "key_size=256, sign allowed" 'grep -q "key_size=256" <<<"$OUT" && grep -q "^sign=y" <<<"$OUT"'
step "keyctl pkey_sign enc=x962 hash=sha256 (EC)" \
	"${AS[@]}" bash -c "keyctl pkey_sign $EPRIV 0 dgst enc=x962 hash=sha256 >ec.sig" &&
	step "openssl pkeyutl -verify accepts the signature" \
		openssl pkeyutl -verify -pubin -keyform DER -inkey ec.der -in dgst -sigfile ec.sig &&
	step_fails "openssl rejects it for another digest (negative control)" \
		"Verification Failure" openssl pkeyutl -verify -pubin -keyform DER -inkey ec.der \
		-in dgst2 -sigfile ec.sig &&
	step "keyctl pkey_verify with the public key" \
		"${AS[@]}" keyctl pkey_verify "$EPUB" 0 dgst ec.sig enc=x962 hash=sha256

step "keyctl pipe of the RSA public key" "${AS[@]}" bash -c "keyctl pipe $RPUB >rsa.der" &&
	step "openssl reads it" openssl pkey -pubin -inform DER -in rsa.der -out rsa.pem &&
	step "pkcs11-tool --read-object of the RSA public key" \
		"${P11T[@]}" --read-object --type pubkey --id 0c02 -o "$W/p11rsa.der" &&
	step "the same key (compared as SPKI PEM)" \
		bash -c 'openssl pkey -pubin -inform DER -in p11rsa.der -out p11rsa.pem 2>/dev/null ||
			 openssl rsa -RSAPublicKey_in -inform DER -in p11rsa.der -pubout -out p11rsa.pem
			 cmp rsa.pem p11rsa.pem'
step "keyctl pkey_query of the RSA private key" "${AS[@]}" keyctl pkey_query "$RPRIV" 0 enc=pkcs1 &&
	check "key_size=2048" 'grep -q "key_size=2048" <<<"$OUT"'
step "keyctl pkey_sign enc=pkcs1 hash=sha256 (RSA)" \
	"${AS[@]}" bash -c "keyctl pkey_sign $RPRIV 0 dgst enc=pkcs1 hash=sha256 >rsa.sig" &&
	step "openssl dgst -sha256 -verify accepts it over the message" \
		openssl dgst -sha256 -verify rsa.pem -signature rsa.sig msg &&
	step "keyctl pkey_verify with the public key" \
		"${AS[@]}" keyctl pkey_verify "$RPUB" 0 dgst rsa.sig enc=pkcs1 hash=sha256
head -c 48 /dev/urandom >secret
chmod 644 secret
step "openssl pkeyutl -encrypt (PKCS#1 v1.5) with the keyring's public key" \
	openssl pkeyutl -encrypt -pubin -inkey rsa.pem -pkeyopt rsa_padding_mode:pkcs1 \
	-in secret -out ct1 &&
	step "keyctl pkey_decrypt enc=pkcs1 gives it back" \
		"${AS[@]}" bash -c "keyctl pkey_decrypt $RPRIV 0 ct1 enc=pkcs1 >pt1 && cmp pt1 secret"
step "keyctl pkey_encrypt enc=pkcs1" \
	"${AS[@]}" bash -c "keyctl pkey_encrypt $RPUB 0 secret enc=pkcs1 >ct2" &&
	step "pkcs11-tool --decrypt -m RSA-PKCS gives it back" \
		"${P11T[@]}" "${L[@]}" --decrypt -m RSA-PKCS --id 0c02 -i "$W/ct2" -o "$W/pt2" &&
	step "the same bytes" cmp pt2 secret

step_fails "key without CKA_KHSM_KEYRING_USE (pkcs11-tool's): refused" "Permission denied" \
	"${AS[@]}" keyctl pkey_sign "$PPRIV" 0 dgst enc=x962 hash=sha256
check "dmesg names the reason" \
	"dmesg | grep -q 'keyring use of key $PPRIV by uid [0-9]* (keyctl) refused'"
check "the files are readable by others (so a refusal below is the kernel's)" \
	"setpriv --reuid=65534 --regid=65534 --clear-groups cat dgst msg >/dev/null"
step_fails "a user outside the token's group: pkey_sign refused" "Permission denied" \
	"${NOBODY[@]}" keyctl pkey_sign "$EPRIV" 0 dgst enc=x962 hash=sha256
step_fails "... pkey_query refused" "Permission denied" \
	"${NOBODY[@]}" keyctl pkey_query "$EPRIV" 0 enc=x962
step_fails "... read of the public key refused" "Permission denied" \
	"${NOBODY[@]}" keyctl pipe "$EPUB"
step_fails "a member cannot revoke a token key" "Permission denied" \
	"${AS[@]}" keyctl revoke "$EPRIV"
step_fails "... nor link it into his own keyring" "Permission denied" \
	"${AS[@]}" keyctl link "$EPRIV" @u
step_fails "... nor unlink it from the token keyring" "Permission denied" \
	"${AS[@]}" keyctl unlink "$EPRIV" "$RING"
step_fails "... nor setperm" "Permission denied" \
	"${AS[@]}" keyctl setperm "$EPRIV" 0x3f3f3f3f
step_fails "... nor chown" "Permission denied" \
	"${AS[@]}" keyctl chown "$EPRIV" "$(id -u hsmuser)"
step_fails "... nor update it" "Permission denied\|Operation not supported" \
	"${AS[@]}" bash -c "echo -n x | keyctl pupdate $EPRIV"
step_fails "nobody adds a khsm key (add_key: preparse refuses)" "Operation not permitted" \
	"${AS[@]}" keyctl add khsm x y @u
step "the member still signs" \
	"${AS[@]}" bash -c "keyctl pkey_sign $EPRIV 0 dgst enc=x962 hash=sha256 >/dev/null"

kill "$HOLD" && wait "$HOLD"
HOLD=
step_fails "login gone: pkey_sign refused again" "Permission denied" \
	"${AS[@]}" keyctl pkey_sign "$EPRIV" 0 dgst enc=x962 hash=sha256
step_fails "... and RSA pkey_decrypt too" "Permission denied" \
	"${AS[@]}" keyctl pkey_decrypt "$RPRIV" 0 ct1 enc=pkcs1

step "pkcs11-tool --delete-object the EC private key" \
	"${P11T[@]}" "${L[@]}" --delete-object --type privkey --id 0c01
step_fails "its key is revoked" "Key has been revoked\|Required key not available" \
	"${AS[@]}" keyctl pkey_sign "$EPRIV" 0 dgst enc=x962 hash=sha256
step "keyctl show" "${AS[@]}" keyctl show "$RING" &&
	check "kr-ec:priv is gone, kr-ec:pub is there" \
		'! grep -q ":kr-ec:priv:" <<<"$OUT" && grep -q ":kr-ec:pub:" <<<"$OUT"'
flow_end
