#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# libhsm.so exports exactly the functions <khsm/hsm.h> declares, named one
# by one in libhsm.map (no wildcard), each in a LIBHSM_1.x version node, and
# has soname libhsm.so.1. TAP output.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
so=$here/libhsm.so.1
hdr=$here/include/khsm/hsm.h
n=0; fail=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

exp=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sort)
decl=$(sed -n 's/^[a-z].*[ *]\(hsm_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u)
bad=$(echo "$exp" | grep -v '@@LIBHSM_1\.[0-3]$' || true)
t "$([ -z "$bad" ] && echo 0 || echo 1)" "every export is in LIBHSM_1.0 to 1.3${bad:+ (not: $bad)}"
names=$(echo "$exp" | sed 's/@.*//' | sort)
missing=$(printf '%s\n' "$decl" | while read -r f; do echo "$names" | grep -qx "$f" || echo "$f"; done)
extra=$(printf '%s\n' "$names" | while read -r f; do echo "$decl" | grep -qx "$f" || echo "$f"; done)
t "$([ -z "$missing" ] && echo 0 || echo 1)" "every declared function is exported${missing:+ (missing: $(echo $missing))}"
t "$([ -z "$extra" ] && echo 0 || echo 1)" "nothing undeclared is exported${extra:+ (extra: $(echo $extra))}"
t "$([ "$(echo "$decl" | wc -l)" -ge 50 ] && echo 0 || echo 1)" "header parsed ($(echo "$decl" | wc -l) functions)"
map=$here/libhsm.map
wild=$(sed -n '/{/,/}/p' "$map" | grep '\*' | grep -vE '^[[:space:]]*\*;$' | tr -d '\t' || true)
t "$([ -z "$wild" ] && echo 0 || echo 1)" "libhsm.map names every export (no wildcard but local *)${wild:+ (got: $wild)}"
soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
t "$([ "$soname" = libhsm.so.1 ] && echo 0 || echo 1)" "soname libhsm.so.1 ($soname)"
echo "1..$n"
exit $fail
