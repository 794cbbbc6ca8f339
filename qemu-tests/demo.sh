#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM (qemu-tests/vm.sh -- qemu-tests/demo.sh):
# as the unprivileged user hsmuser (group hsm), with unmodified pkcs11-tool
# over khsm-pkcs11.so: initialise the token and the user PIN, generate an EC
# P-256 key pair in the kernel, sign with ECDSA-SHA256, read the public key
# back and verify the signature with OpenSSL. Then the kernel keyring:
# keyctl show lists the token's keys; the pkcs11-tool key may not be used
# through keyctl (CKA_KHSM_KEYRING_USE is false by default), a pair made
# with the attribute (qemu-tests/tools/kr_keygen) signs with keyctl
# pkey_sign while a user session is logged in, and OpenSSL verifies.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" = 0 ] && id hsmuser >/dev/null 2>&1; then
	exec setpriv --reuid=hsmuser --regid=hsmuser --init-groups \
		env HOME=/home/hsmuser USER=hsmuser PATH="$PATH" bash "$0" "$@"
fi
MOD=${KHSM_PKCS11:-$REPO/pkcs11/khsm-pkcs11.so}
export LD_LIBRARY_PATH=$REPO/libhsm-dev${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# Cheap Argon2id PIN derivation: the VM emulates the CPU (TCG).
export KHSM_ARGON2_M_KIB=${KHSM_ARGON2_M_KIB:-64} KHSM_ARGON2_T=${KHSM_ARGON2_T:-1}
W=$(mktemp -d /tmp/khsm-demo.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"

run() {
	echo "\$ $*"
	"$@"
	echo
}

echo "== khsm demo as $(id -un) ($(id -Gn)); device: $(ls -l /dev/hsm0)"
P=(pkcs11-tool --module "$MOD")
run "${P[@]}" --slot-index 0 --init-token --label demo --so-pin 12345678
P=(pkcs11-tool --module "$MOD" --token-label demo)
run "${P[@]}" --login --login-type so --so-pin 12345678 --init-pin --new-pin 123456
run "${P[@]}" --login --pin 123456 --keypairgen --key-type EC:prime256v1 --id 01 --label demo-ec
echo "Hello from khsm: the private key never left the kernel." >msg
run "${P[@]}" --login --pin 123456 --sign -m ECDSA-SHA256 --id 01 -i msg -o sig.der \
	--signature-format openssl
run "${P[@]}" --read-object --type pubkey --id 01 -o pub.der
run openssl pkey -pubin -inform DER -in pub.der -out pub.pem
cat pub.pem
echo "signature (DER, $(stat -c %s sig.der) bytes):"
od -An -tx1 -v sig.der | tr -d ' \n'
echo
echo
run openssl dgst -sha256 -verify pub.pem -signature sig.der msg

echo "== the kernel keyring: every token key is a key of type khsm in khsm:hsm0"
MODRING=$(cat /sys/module/khsm/parameters/keyring)
RING=$(keyctl search "$MODRING" keyring khsm:hsm0)
run keyctl show "$MODRING"
key_of() {
	local k
	for k in $(keyctl rlist "$RING"); do
		keyctl rdescribe "$k" | grep -q ":$1:$2:[0-9a-f]*$" && echo "$k"
	done
	return 0
}
K=$(key_of demo-ec pub)
run keyctl describe "$K"
echo "\$ keyctl pipe $K | openssl pkey -pubin -inform DER   # the same public key"
keyctl pipe "$K" | openssl pkey -pubin -inform DER
echo
openssl dgst -sha256 -binary msg >msg.sha256
K=$(key_of demo-ec priv)
echo "\$ keyctl pkey_sign $K 0 msg.sha256 enc=x962 hash=sha256   # pkcs11-tool's key"
keyctl pkey_sign "$K" 0 msg.sha256 enc=x962 hash=sha256 >/dev/null ||
	echo "(refused: CKA_KHSM_KEYRING_USE is false unless the key was made with it)"
echo
KG=$REPO/qemu-tests/build/tools/kr_keygen
if [ ! -x "$KG" ]; then
	echo "(no $KG: make -C qemu-tests builds it; skipping keyctl pkey_sign)"
	exit 0
fi
run "$KG" gen ec demo-kr 02 123456
"$KG" hold "$W/held" 123456 &
HOLD=$!
trap 'kill $HOLD 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 100); do [ -e "$W/held" ] && break; sleep 0.2; done
echo "(a user session is logged in: keyctl may use private keys that allow it)"
run keyctl show "$RING"
K=$(key_of demo-kr priv)
KP=$(key_of demo-kr pub)
run keyctl pkey_query "$K" 0 enc=x962
echo "\$ keyctl pkey_sign $K 0 msg.sha256 enc=x962 hash=sha256 >kr.sig"
keyctl pkey_sign "$K" 0 msg.sha256 enc=x962 hash=sha256 >kr.sig
keyctl pipe "$KP" >kr-pub.der
echo
run openssl pkeyutl -verify -pubin -keyform DER -inkey kr-pub.der -in msg.sha256 -sigfile kr.sig
