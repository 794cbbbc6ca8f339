#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`, inside the VM: ECDSA P-256 signatures per second of khsm
# (through khsm-pkcs11.so), SoftHSM2 (libsofthsm2.so) and `openssl speed`,
# and RSA-2048 CKM_SHA256_RSA_PKCS signatures of khsm and SoftHSM2, all
# measured in this one boot, and their ratios. TCG emulation makes the
# absolute numbers meaningless; the ratios are what to compare.
# Env: KHSM_BENCH_SECS (per measurement, default 10).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$REPO/build/p11bench
MOD=$REPO/pkcs11/khsm-pkcs11.so
SOFTHSM=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n1)
SECS=${KHSM_BENCH_SECS:-10}
export KHSM_ARGON2_M_KIB=${KHSM_ARGON2_M_KIB:-64} KHSM_ARGON2_T=${KHSM_ARGON2_T:-1}
[ -x "$BENCH" ] || { echo "bench: $BENCH missing (make bench builds it)" >&2; exit 1; }
[ -n "$SOFTHSM" ] || { echo "bench: libsofthsm2.so not found (apt-get install softhsm2)" >&2; exit 1; }
W=$(mktemp -d /tmp/khsm-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
q() { "$@" >"$W/out" 2>&1 || { cat "$W/out" >&2; echo "bench: failed: $*" >&2; exit 1; }; }
rate() { sed -n 's/^signs\/s: \([0-9.]*\).*/\1/p'; }

echo "== khsm: token, P-256 key pair"
P=(pkcs11-tool --module "$MOD")
q "${P[@]}" --slot-index 0 --init-token --label khsm-bench --so-pin 12345678
P=(pkcs11-tool --module "$MOD" --token-label khsm-bench)
q "${P[@]}" --login --login-type so --so-pin 12345678 --init-pin --new-pin 123456
q "${P[@]}" --login --pin 123456 --keypairgen --key-type EC:prime256v1 --id 01
out=$("$BENCH" "$MOD" khsm-bench 123456 01 "$SECS")
echo "khsm     $out"
k=$(rate <<<"$out")
q "${P[@]}" --login --pin 123456 --keypairgen --key-type rsa:2048 --id 02
out=$("$BENCH" "$MOD" khsm-bench 123456 02 "$SECS" rsa)
echo "khsm     RSA-2048 $out"
kr=$(rate <<<"$out")

echo "== SoftHSM2: token, P-256 key pair"
mkdir -p tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' "$W" >softhsm2.conf
export SOFTHSM2_CONF=$W/softhsm2.conf
q softhsm2-util --init-token --free --label sh-bench --so-pin 12345678 --pin 123456
q pkcs11-tool --module "$SOFTHSM" --token-label sh-bench --login --pin 123456 \
	--keypairgen --key-type EC:prime256v1 --id 01
out=$("$BENCH" "$SOFTHSM" sh-bench 123456 01 "$SECS")
echo "softhsm2 $out"
s=$(rate <<<"$out")
q pkcs11-tool --module "$SOFTHSM" --token-label sh-bench --login --pin 123456 \
	--keypairgen --key-type rsa:2048 --id 02
out=$("$BENCH" "$SOFTHSM" sh-bench 123456 02 "$SECS" rsa)
echo "softhsm2 RSA-2048 $out"
sr=$(rate <<<"$out")

echo "== openssl speed -seconds $SECS ecdsap256"
o=$(openssl speed -seconds "$SECS" ecdsap256 2>/dev/null | awk '/nistp256/ { print $(NF-1) }')
[ -n "$o" ] || { echo "bench: cannot parse openssl speed output" >&2; exit 1; }
echo "openssl  signs/s: $o"

echo
echo "ECDSA P-256 signatures/s in this VM (TCG; compare ratios only):"
printf '  %-10s %10s\n' khsm "$k" softhsm2 "$s" openssl "$o"
awk -v k="$k" -v s="$s" -v o="$o" 'BEGIN {
	printf "  khsm/softhsm2 = %.2f   khsm/openssl = %.2f   softhsm2/openssl = %.2f\n",
		k / s, k / o, s / o }'
echo
echo "RSA-2048 PKCS#1 v1.5 SHA-256 signatures/s in this VM (TCG; compare ratios only):"
printf '  %-10s %10s\n' khsm "$kr" softhsm2 "$sr"
awk -v k="$kr" -v s="$sr" 'BEGIN { printf "  khsm/softhsm2 = %.2f\n", k / s }'
