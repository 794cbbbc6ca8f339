#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# OpenSC's own PKCS#11 test scripts and p11test, from Debian's source
# package, so they match the pkcs11-tool Debian ships (bookworm: 0.23.0).
# apt runs with a private configuration (a deb-src list for bookworm and
# bookworm-security under OUT/apt), so the host's apt sources stay as they
# are and no root is needed. Result, cached until the source version
# changes:
#   OUT/src/          the unpacked source (dpkg-source -x: Debian's patches applied)
#   OUT/p11test       src/tests/p11test built against cmocka and libcrypto
#   OUT/version       the source package version
# qemu-tests/flows/opensc_scripts.sh runs them in the VM.
# Usage: fetch.sh OUTDIR      (exit 0 with a message and no OUT/version if
# the source cannot be fetched: the flow then says why it skips)
set -euo pipefail
OUT=$1
mkdir -p "$OUT/apt/lists/partial" "$OUT/dl"
warn() { echo "opensc-src: $*" >&2; }

cat >"$OUT/apt/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
APT=(-o Dir::Etc::SourceList="$OUT/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$OUT/apt/lists" -o APT::Get::List-Cleanup=0
     -o Debug::NoLocking=1 -q)
# apt drops privileges to _apt for downloads
chmod 0777 "$OUT/dl" "$OUT/apt/lists/partial" 2>/dev/null || true

if [ ! -e "$OUT/apt/lists/.updated" ] || [ -n "$(find "$OUT/apt/lists/.updated" -mmin +1440)" ]; then
	if ! apt-get "${APT[@]}" update >"$OUT/apt/update.log" 2>&1; then
		warn "apt-get update of the deb-src lists failed (see $OUT/apt/update.log)"
		exit 0
	fi
	touch "$OUT/apt/lists/.updated"
fi
ver=$(apt-cache "${APT[@]}" showsrc opensc 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n1)
if [ -z "$ver" ]; then
	warn "apt knows no opensc source package"
	exit 0
fi
if [ -x "$OUT/p11test" ] && [ "$(cat "$OUT/version" 2>/dev/null)" = "$ver" ]; then
	exit 0
fi
rm -rf "$OUT/src" "$OUT/version" "$OUT/p11test" "$OUT/dl"/*
if ! (cd "$OUT/dl" && apt-get "${APT[@]}" source --download-only "opensc=$ver" >"$OUT/dl.log" 2>&1); then
	warn "apt-get source opensc=$ver failed (see $OUT/dl.log)"
	exit 0
fi
dsc=$(ls "$OUT"/dl/opensc_*.dsc | head -n1)
dpkg-source --no-check -x "$dsc" "$OUT/src" >/dev/null ||
	{ warn "dpkg-source -x $dsc failed"; exit 0; }
# p11test: no configure needed; an empty config.h leaves out only the
# Windows and PKCS#11 URI bits.
mkdir -p "$OUT/p11test.build"
: >"$OUT/p11test.build/config.h"
if ! ${CC:-cc} -O1 -g -w -DHAVE_CONFIG_H -I"$OUT/p11test.build" -I"$OUT/src/src" \
	-o "$OUT/p11test" "$OUT"/src/src/tests/p11test/*.c -lcmocka -lcrypto -ldl; then
	warn "building p11test failed (apt-get install libcmocka-dev)"
	exit 0
fi
echo "$ver" >"$OUT/version"
echo "opensc-src: OpenSC $ver tests and p11test in $OUT" >&2
