#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`, inside the VM: the same p11bench run (qemu-tests/vm/p11bench.c)
# through khsm-pkcs11.so and through SoftHSM2 (libsofthsm2.so) in this one
# boot, plus `openssl speed` for the signatures. TCG emulation makes the
# absolute numbers meaningless; compare the ratios. One line per figure:
#
#   bench: NAME khsm=K/s softhsm=S/s ratio=K/S scale=X softhsm-scale=Y target=T met=yes|no|-
#
# ratio is khsm over SoftHSM2; scale is khsm's figure over its base figure
# (N processes over 1 process; find among 100,000 objects over find among
# 100, so scale >= 0.5 means "under 2x the time"), softhsm-scale the same
# for SoftHSM2; "-" where it does not apply. A figure the token cannot
# produce reads "n/a (CKR_...)". Then `bench: openssl-*` reference lines and
# a table. Ratios below target do not fail the run; a wrong result does.
# Env: KHSM_BENCH_SECS (per measurement, default 10); KHSM_BENCH_TESTS
# (p11bench test:procs words, default all; figures of tests not run print
# "n/a (not run)").
# Persistence: with a state disk (vm.sh -d, as make bench runs it) khsm's
# state directory /var/lib/khsm and SoftHSM2's token directory are both on
# it, so token-create:1 compares token-object creation with its fsyncs on
# the same disk. Last, the load figure: 10,000 token keys made without
# persistence (KHSM_STATE_DIR=none), `hsmctl save`d, the module reloaded,
# `hsmctl load` timed, then the first login (which decrypts the pending
# objects); SoftHSM2's figure is C_Initialize + login of its token with
# 10,000 keys (p11bench's setup time). Both start with a cold page cache.
# (SoftHSM2 takes minutes under TCG to create its 10,000 keys;
# KHSM_BENCH_LOAD=0 skips the load figure.)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$REPO/build/p11bench
MOD=$REPO/pkcs11/khsm-pkcs11.so
SOFTHSM=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n1)
SECS=${KHSM_BENCH_SECS:-10}
TESTS=${KHSM_BENCH_TESTS:-ecdsa:1 ecdsa:2 ecdsa-sep:2 rsa:1 digest:1 hmac:1 find:1 find:2 random:1 random:2 find-100:1 find-100000:1 ecdh:1 aeskw:1 token-create:1}
HSMCTL=
for c in "$REPO/libhsm-dev/build/hsmctl" "$(command -v hsmctl || true)"; do
	[ -n "$c" ] && [ -x "$c" ] && { HSMCTL=$c; break; }
done
export KHSM_ARGON2_M_KIB=${KHSM_ARGON2_M_KIB:-64} KHSM_ARGON2_T=${KHSM_ARGON2_T:-1}
[ -x "$BENCH" ] || { echo "bench: $BENCH missing (make bench builds it)" >&2; exit 1; }
[ -n "$SOFTHSM" ] || { echo "bench: libsofthsm2.so not found (apt-get install softhsm2)" >&2; exit 1; }
W=$(mktemp -d /tmp/khsm-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
T0=$(date +%s)
q() { "$@" >"$W/out" 2>&1 || { cat "$W/out" >&2; echo "bench: failed: $*" >&2; exit 1; }; }

TOKDIR=$W/tokens
PERSIST=off
if [ -n "${KHSM_DISK:-}" ] && [ -d /var/lib/khsm ]; then
	PERSIST=on
	TOKDIR=$KHSM_DISK/softhsm-tokens
fi
echo "bench: info persistence=$PERSIST khsm-state=$([ $PERSIST = on ] && echo /var/lib/khsm || echo none)" \
	"softhsm-tokens=$TOKDIR hsmctl=${HSMCTL:-none}"
echo "bench: info secs=$SECS kernel=$(uname -r) vcpus=$(nproc)" \
	"cpu-flags=$(grep -m1 -owE 'bmi2|adx|avx2|sha_ni' /proc/cpuinfo | sort -u | paste -sd, -)"

# Token keys for p11bench: P-256 pairs 01 and 03, RSA-2048 pair 02, P-256
# pair 04 that derives (ECDH).
keys() {
	local P=(pkcs11-tool --module "$1" --token-label "$2" --login --pin 123456)

	q "${P[@]}" --keypairgen --key-type EC:prime256v1 --id 01
	q "${P[@]}" --keypairgen --key-type rsa:2048 --id 02
	q "${P[@]}" --keypairgen --key-type EC:prime256v1 --id 03
	q "${P[@]}" --keypairgen --key-type EC:prime256v1 --id 04 --usage-derive
}

echo "== tokens and key pairs"
q pkcs11-tool --module "$MOD" --slot-index 0 --init-token --label khsm-bench --so-pin 12345678
q pkcs11-tool --module "$MOD" --token-label khsm-bench --login --login-type so \
	--so-pin 12345678 --init-pin --new-pin 123456
keys "$MOD" khsm-bench
rm -rf "$TOKDIR" && mkdir -p "$TOKDIR"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$TOKDIR" >softhsm2.conf
export SOFTHSM2_CONF=$W/softhsm2.conf
q softhsm2-util --init-token --free --label sh-bench --so-pin 12345678 --pin 123456
keys "$SOFTHSM" sh-bench

# Each test through khsm, then at once through SoftHSM2 (and openssl speed
# for the signatures), so that both see the same load on the host.
echo "== p11bench and openssl speed, $SECS s per measurement"
o_ec= o_rsa=
for t in $TESTS; do
	"$BENCH" "$MOD" khsm-bench 123456 "$SECS" "$t" | tee -a "$W/khsm.txt" | sed 's/^/khsm    /'
	"$BENCH" "$SOFTHSM" sh-bench 123456 "$SECS" "$t" | tee -a "$W/softhsm.txt" | sed 's/^/softhsm /'
	case $t in
	ecdsa:1)
		o_ec=$(openssl speed -seconds "$SECS" ecdsap256 2>/dev/null |
			awk '/nistp256/ { print $(NF-1) }')
		echo "openssl speed ecdsap256: $o_ec signs/s" ;;
	rsa:1)
		o_rsa=$(openssl speed -seconds "$SECS" rsa2048 2>/dev/null |
			awk '/^rsa 2048 bits/ { print $(NF-1) }')
		echo "openssl speed rsa2048: $o_rsa signs/s" ;;
	esac
done
# hsmctl load of 10,000 objects (khsm) and C_Initialize + login of a
# 10,000-object token (SoftHSM2).
setup_of() { sed -n 's/.* setup=\([0-9.]*\).*/\1/p' "$1" | tail -n1; }
load_k=n/a login_k=n/a load_s=n/a nload=
if [ $PERSIST = on ] && [ -n "$HSMCTL" ] && [ "${KHSM_BENCH_LOAD:-1}" = 1 ]; then
	echo "== 10,000 token objects: hsmctl save, reload, hsmctl load, first login"
	KHSM_STATE_DIR=none "$BENCH" "$MOD" khsm-bench 123456 1 token-fill:1 | sed 's/^/khsm    /'
	ts=$(date +%s.%N)
	q "$HSMCTL" save hsm0
	echo "hsmctl save: $(echo "$(date +%s.%N) - $ts" | bc) s"
	q "$REPO/qemu-tests/vm/khsm-load" --reload
	# Cold: the files come from the (virtual) disk, not the page cache.
	sync; echo 3 >/proc/sys/vm/drop_caches
	ts=$(date +%s.%N)
	q "$HSMCTL" load hsm0
	load_k=$(echo "$(date +%s.%N) - $ts" | bc)
	nload=$(grep -o '[0-9]* objects' "$W/out" | tail -n1 | cut -d' ' -f1)
	echo "hsmctl load: $load_k s ($nload): $(tail -n1 "$W/out")"
	"$BENCH" "$MOD" khsm-bench 123456 1 random:1 >"$W/login.txt"
	login_k=$(setup_of "$W/login.txt")
	echo "first login after the load (p11bench setup): $login_k s"
	"$BENCH" "$SOFTHSM" sh-bench 123456 1 token-fill:1 | sed 's/^/softhsm /'
	sync; echo 3 >/proc/sys/vm/drop_caches
	"$BENCH" "$SOFTHSM" sh-bench 123456 1 random:1 >"$W/sh-login.txt"
	load_s=$(setup_of "$W/sh-login.txt")
	echo "softhsm2 C_Initialize + login with 10,000 more objects (p11bench setup): $load_s s"
elif [ "${KHSM_BENCH_LOAD:-1}" = 1 ]; then
	echo "== load figure not measured: persistence $PERSIST, hsmctl ${HSMCTL:-missing}"
fi

case " $TESTS " in *" ecdsa:1 "*) [ -n "$o_ec" ] || { echo "bench: cannot parse openssl speed ecdsap256" >&2; exit 1; } ;; esac
case " $TESTS " in *" rsa:1 "*) [ -n "$o_rsa" ] || { echo "bench: cannot parse openssl speed rsa2048" >&2; exit 1; } ;; esac

echo
awk -v o_ec="$o_ec" -v o_rsa="$o_rsa" -v elapsed=$(($(date +%s) - T0)) \
	-v load_k="$load_k" -v login_k="$login_k" -v load_s="$load_s" -v nload="$nload" '
# result: NAME procs=N ops=N secs=S setup=S rate=R [(CKR_...)]
FNR == 1 { mod = FILENAME; sub(/.*\//, "", mod); sub(/\.txt$/, "", mod) }
$1 == "result:" {
	key = $2 ":" substr($3, 7)
	r = $0; sub(/.* rate=/, "", r)
	rate[mod, key] = r
}
function num(v) { return v ~ /^[0-9.]+$/ }
function fmt(v) {
	if (!num(v)) return v
	return sprintf(v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v)
}
function per_s(v) { return num(v) ? fmt(v) "/s" : v }
function cell(v) {
	if (num(v)) return fmt(v)
	if (v ~ /^n\/a/) notes = notes sprintf("  %s: %s\n", cur, v)
	return "n/a"
}
function div(a, b,    r) {
	if (!num(a) || !num(b) || b <= 0) return "n/a"
	r = a / b
	return sprintf(r >= 0.1 ? "%.2f" : "%.2g", r)
}
# name, p11bench test:procs, base test:procs for scale ("" if none),
# target on "ratio" or "scale" ("" if none) and its value.
function fig(name, key, base, tkind, tval,    k, s, ratio, sc, ssc, tgt, met, v) {
	k = rate["khsm", key]; s = rate["softhsm", key]
	if (k == "") k = "n/a (not run)"
	if (s == "") s = "n/a (not run)"
	ratio = div(k, s)
	sc = base == "" ? "-" : div(k, rate["khsm", base])
	ssc = base == "" ? "-" : div(s, rate["softhsm", base])
	tgt = tkind == "" ? "-" : tkind ">=" tval
	v = tkind == "ratio" ? ratio : sc
	met = tkind == "" ? "-" : !num(v) ? "n/a" : v + 0 >= tval + 0 ? "yes" : "no"
	printf "bench: %s khsm=%s softhsm=%s ratio=%s scale=%s softhsm-scale=%s target=%s met=%s\n",
		name, per_s(k), per_s(s), ratio, sc, ssc, tgt, met
	n++
	cur = "khsm " name; kc = cell(k)
	cur = "softhsm2 " name; sc2 = cell(s)
	row[n] = sprintf("%-30s %12s %12s %7s %7s %7s  %-11s %s", name, kc, sc2,
		ratio, sc, ssc, tgt, met)
}
function ref(name, o, key,    k, s) {
	k = rate["khsm", key]; s = rate["softhsm", key]
	printf "bench: %s openssl=%s khsm=%s softhsm=%s khsm-vs-openssl=%s softhsm-vs-openssl=%s\n",
		name, per_s(o), per_s(k), per_s(s), div(k, o), div(s, o)
	m++
	ref_row[m] = sprintf("%-30s %12s %12s %12s  %8s %8s", name, fmt(o), cell(k), cell(s),
		div(k, o), div(s, o))
}
END {
	fig("ecdsa-p256-sign-1p", "ecdsa:1", "", "", 0)
	fig("ecdsa-p256-sign-2p-shared-key", "ecdsa:2", "ecdsa:1", "scale", "1.8")
	fig("ecdsa-p256-sign-2p-sep-keys", "ecdsa-sep:2", "ecdsa:1", "scale", "1.8")
	fig("rsa2048-sha256-pkcs-sign-1p", "rsa:1", "", "ratio", "1.0")
	fig("sha256-64B-digest-1p", "digest:1", "", "ratio", "2.0")
	fig("hmac-sha256-64B-sign-1p", "hmac:1", "", "ratio", "1.5")
	fig("find-objects-1p", "find:1", "", "", 0)
	fig("find-objects-2p", "find:2", "find:1", "scale", "1.5")
	fig("random-32B-1p", "random:1", "", "", 0)
	fig("random-32B-2p", "random:2", "random:1", "scale", "1.5")
	fig("find-100", "find-100:1", "", "", 0)
	fig("find-100000", "find-100000:1", "find-100:1", "scale", "0.5")
	fig("ecdh-p256-derive-1p", "ecdh:1", "", "ratio", "1.5")
	fig("aes256-kw-wrap-32B-1p", "aeskw:1", "", "", 0)
	fig("token-object-create-1p", "token-create:1", "", "ratio", "1.0")
	ref("openssl-ecdsap256-sign", o_ec, "ecdsa:1")
	ref("openssl-rsa2048-sign", o_rsa, "rsa:1")
	met = num(load_k) ? (load_k + 0 < 5 ? "yes" : "no") : "n/a"
	printf "bench: load-10000-objects khsm=%s khsm-first-login=%s softhsm=%s objects=%s target=khsm<5s met=%s\n",
		num(load_k) ? sprintf("%.2fs", load_k) : load_k,
		num(login_k) ? sprintf("%.2fs", login_k) : login_k,
		num(load_s) ? sprintf("%.2fs", load_s) : load_s, nload == "" ? "n/a" : nload, met
	printf "bench: info elapsed=%ss\n", elapsed
	printf "\nPer second in this VM (TCG: compare ratios, not absolute figures):\n"
	printf "%-30s %12s %12s %7s %7s %7s  %-11s %s\n", "figure", "khsm", "softhsm2",
		"ratio", "scale", "sh-scl", "target", "met"
	for (i = 1; i <= n; i++)
		print row[i]
	printf "%-30s %12s %12s %12s  %8s %8s\n", "reference (1 process)", "openssl",
		"khsm", "softhsm2", "khsm/o", "sh/o"
	for (i = 1; i <= m; i++)
		print ref_row[i]
	if (notes != "")
		printf "n/a:\n%s", notes
}' "$W/khsm.txt" "$W/softhsm.txt"
