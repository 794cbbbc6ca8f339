#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM (qemu-tests/vm.sh -- qemu-tests/demo.sh):
# as the unprivileged user hsmuser (group hsm), with unmodified pkcs11-tool
# over khsm-pkcs11.so: initialise the token and the user PIN, generate an EC
# P-256 key pair in the kernel, sign with ECDSA-SHA256, read the public key
# back and verify the signature with OpenSSL.
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
