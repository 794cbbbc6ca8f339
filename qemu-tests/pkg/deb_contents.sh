#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, natively (no VM): builds them with `make deb` (or
# takes build/deb/ as it is with KHSM_DEB_REUSE=1), then checks with
# dpkg-deb what each package holds and must not hold, its relations and
# maintainer scripts, the symbols file against libhsm.map, lintian (no E:),
# and that DKMS builds the packaged module source: for KVER
# (KHSM_DEB_DKMS=1, the default), for KVER and KVER_NEW when its headers
# are here (KHSM_DEB_DKMS=all), or not at all (KHSM_DEB_DKMS=0).
# TAP on stdout. Run by make check-native and make check (DKMS for KVER;
# lint builds the same files for KVER_NEW) through .ci/check. Time on the 2-core host: make deb about
# 30 s, the checks 10 s, each DKMS build 30 s idle (90-130 s under load).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DEB=$TOP/build/deb
W=$(mktemp -d /tmp/khsm-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
t0=$(date +%s)

# shellcheck source=qemu-tests/lib/tap.sh
. "$TOP/qemu-tests/lib/tap.sh"
show() { sed 's/^/#   /'; }

VER=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
UPVER=${VER%-*}
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
PKGS="khsm-dkms libhsm1 libhsm-dev khsm-pkcs11 khsm-tools"
echo "# packages $VER ($ARCH, $MA) in $DEB"

# --- build --------------------------------------------------------------
if [ "${KHSM_DEB_REUSE:-0}" = 1 ] && ls "$DEB"/*.changes >/dev/null 2>&1; then
	echo "# KHSM_DEB_REUSE=1: the packages in $DEB as they are"
	check "lintian on build/deb" make --no-print-directory -C "$TOP" lintian
else
	ts=$(date +%s)
	if make --no-print-directory -C "$TOP" deb >"$W/make-deb.log" 2>&1; then
		ok "make deb ($(($(date +%s) - ts)) s)"
	else
		tail -n 30 "$W/make-deb.log" | show
		notok "make deb"
	fi
fi

deb_of() { # package -> its .deb path
	local a=$ARCH
	[ "$1" != khsm-dkms ] || a=all
	echo "$DEB/${1}_${VER}_$a.deb"
}

missing=0
for p in $PKGS; do
	[ -f "$(deb_of "$p")" ] || { echo "# missing $(deb_of "$p")"; missing=1; }
done
if [ $missing = 0 ]; then
	ok "the five packages $VER are in build/deb"
else
	notok "the five packages $VER are in build/deb"
	tap_end
	exit 1
fi
others=$(find "$DEB" -maxdepth 1 -name '*.deb' -printf '%f\n' |
	grep -vxF -f <(for p in $PKGS; do basename "$(deb_of "$p")"; done))
if [ -z "$others" ]; then ok "no other .deb in build/deb"; else echo "$others" | show; notok "no other .deb in build/deb"; fi

# Each package's file list (paths without the leading ".") and control.
for p in $PKGS; do
	dpkg-deb -c "$(deb_of "$p")" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +/, ""); print }' |
		sed 's|^\./|/|' >"$W/$p.list"
	mkdir -p "$W/$p.ctl" "$W/$p.data"
	dpkg-deb -e "$(deb_of "$p")" "$W/$p.ctl"
	dpkg-deb -x "$(deb_of "$p")" "$W/$p.data"
done
field() { dpkg-deb -f "$(deb_of "$1")" "$2"; }

# has PKG PATH... : the package holds these files
has() {
	local p=$1 f miss=()
	shift
	for f in "$@"; do
		grep -qE "^$f( -> .*)?\$" "$W/$p.list" || miss+=("$f")
	done
	if [ ${#miss[@]} = 0 ]; then ok "$p holds $*"; else notok "$p holds $* (missing: ${miss[*]})"; fi
}
# hasnot PKG ERE DESC : no file of the package matches ERE
hasnot() {
	local bad
	bad=$(grep -E "$2" "$W/$1.list" || true)
	if [ -z "$bad" ]; then ok "$1: $3"; else echo "$bad" | head | show; notok "$1: $3"; fi
}

# --- every package ----------------------------------------------------------
for p in $PKGS; do
	hasnot "$p" '\.ko(\.[gx]z)?$|\.o$|\.mod(\.c)?$|\.cmd$' "no built kernel module or object"
	hasnot "$p" '^/etc/|^/var/' "nothing under /etc or /var (generated at install)"
done

# --- khsm-dkms ----------------------------------------------------------------
S=/usr/src/khsm-$UPVER
has khsm-dkms "$S/dkms.conf" "$S/Kbuild" "$S/kmod/Kbuild" "$S/kmod/Kbuild.mech" \
	"$S/kmod/Kbuild.compat" "$S/kmod/compat.h" "$S/kmod/main.c" \
	"$S/kmod/uapi/linux/khsm.h" "$S/kmod/crypto/Kbuild.frag" "$S/kmod/crypto/engine.c" \
	"$S/kmod/compat/unaligned/include/linux/unaligned.h" \
	/usr/lib/modules-load.d/khsm.conf
check "khsm-dkms: $S/dkms.conf is the tree's dkms.conf" \
	cmp "$W/khsm-dkms.data$S/dkms.conf" "$TOP/dkms.conf"
check "dkms.conf: PACKAGE_VERSION is $UPVER (debian/changelog)" \
	grep -qx "PACKAGE_VERSION=\"$UPVER\"" "$TOP/dkms.conf"
# One version everywhere: the module (MODULE_VERSION, dkms compares it),
# libhsm, the PKCS#11 module's C_GetInfo and the token's firmware.
major=${UPVER%%.*} minor=${UPVER#*.}
minor=${minor%%.*}
check "kmod/main.c: MODULE_VERSION(\"$UPVER\")" \
	grep -qx "MODULE_VERSION(\"$UPVER\");" "$TOP/kmod/main.c"
check "libhsm-dev/Makefile: VERSION $UPVER" \
	grep -qE "^VERSION[[:space:]]*:?=[[:space:]]*$UPVER\$" "$TOP/libhsm-dev/Makefile"
check "pkcs11: C_GetInfo's libraryVersion is $major.$minor" \
	grep -qzE "P11_LIB_MAJOR[[:space:]]+$major\b.*P11_LIB_MINOR[[:space:]]+$minor\b" \
	"$TOP/pkcs11/internal.h"
check "kmod/token.c: the token's firmware version is $major.$minor" \
	grep -qzE "fw_version\[0\] = $major;[[:space:]]*ti->fw_version\[1\] = $minor;" \
	"$TOP/kmod/token.c"
# Every source file under kmod/ that the module builds from is packaged:
# the .c/.h/Kbuild* files of the tree, bar the generators under tools/.
want=$(cd "$TOP" && git ls-files kmod 2>/dev/null | grep -E '\.[ch]$|/Kbuild[^/]*$' |
	grep -v '/tools/' | sed "s|^|$S/|" | sort)
if [ -z "$want" ]; then
	skip "khsm-dkms has every kmod/ source of the tree" "not a git checkout"
else
	lack=$(comm -23 <(echo "$want") <(sort "$W/khsm-dkms.list"))
	if [ -z "$lack" ]; then ok "khsm-dkms has every kmod/ source of the tree ($(echo "$want" | wc -l) files)"
	else echo "$lack" | head | show; notok "khsm-dkms has every kmod/ source of the tree"; fi
fi
check "khsm-dkms: Architecture all, Depends dkms" \
	sh -c "[ '$(field khsm-dkms Architecture)' = all ] && echo '$(field khsm-dkms Depends)' | grep -q '\\bdkms\\b'"
check "khsm-dkms: the postinst runs DKMS (dh_dkms)" grep -q 'common.postinst' "$W/khsm-dkms.ctl/postinst"
check "khsm-dkms: modules-load.d names khsm" grep -qx khsm "$W/khsm-dkms.data/usr/lib/modules-load.d/khsm.conf"

# --- libhsm1 / libhsm-dev -----------------------------------------------------
has libhsm1 "/usr/lib/$MA/libhsm.so.1"
check "libhsm1: SONAME libhsm.so.1" \
	sh -c "objdump -p '$W/libhsm1.data/usr/lib/$MA/libhsm.so.1' | grep -qE 'SONAME +libhsm.so.1\$'"
check "libhsm1: shlibs and symbols control files" \
	test -s "$W/libhsm1.ctl/shlibs" -a -s "$W/libhsm1.ctl/symbols"
check "debian/libhsm1.symbols is debian/gen-symbols' output from libhsm.map" \
	sh -c "cd '$TOP' && debian/gen-symbols | diff - debian/libhsm1.symbols"
# Every version node and symbol of the map, with its node, in the package's symbols.
nodes=$(grep -oE '^LIBHSM_[0-9.]+' "$TOP/libhsm-dev/libhsm.map" | tr '\n' ' ')
check "libhsm1 symbols: version nodes $nodes" \
	sh -c "for n in $nodes; do grep -q \"^ \$n@\$n \" '$W/libhsm1.ctl/symbols' || { echo \"no \$n\"; exit 1; }; done"
exp=$(nm -D --defined-only "$W/libhsm1.data/usr/lib/$MA/libhsm.so.1" | awk '$2 == "T" {print $3}' | sed 's/@@/@/' | sort)
lst=$(awk '/^ / {print $1}' "$W/libhsm1.ctl/symbols" | grep -v '^LIBHSM_.*@LIBHSM_' | sort)
if [ -n "$exp" ] && [ "$exp" = "$lst" ]; then ok "libhsm1 symbols file lists exactly the library's $(echo "$exp" | wc -l) exports"
else diff <(echo "$exp") <(echo "$lst") | head | show; notok "libhsm1 symbols file lists exactly the library's exports"; fi
has libhsm-dev /usr/include/khsm/hsm.h /usr/include/linux/khsm.h "/usr/lib/$MA/libhsm.a" \
	"/usr/lib/$MA/libhsm.so" "/usr/lib/$MA/pkgconfig/libhsm.pc"
check "libhsm-dev: libhsm.so -> libhsm.so.1, Depends libhsm1 (= $VER)" \
	sh -c "[ \"\$(readlink '$W/libhsm-dev.data/usr/lib/$MA/libhsm.so')\" = libhsm.so.1 ] &&
		echo '$(field libhsm-dev Depends)' | grep -qF 'libhsm1 (= $VER)'"

# --- khsm-pkcs11 --------------------------------------------------------------
has khsm-pkcs11 "/usr/lib/$MA/pkcs11/khsm-pkcs11.so" /usr/share/p11-kit/modules/khsm.module \
	/usr/share/man/man7/khsm-pkcs11.7.gz
check "khsm.module: module: khsm-pkcs11.so (p11-kit's pkcs11 dir)" \
	grep -qx 'module: khsm-pkcs11.so' "$W/khsm-pkcs11.data/usr/share/p11-kit/modules/khsm.module"
check "khsm-pkcs11.so: libhsm linked in (no NEEDED libhsm)" \
	sh -c "! objdump -p '$W/khsm-pkcs11.data/usr/lib/$MA/pkcs11/khsm-pkcs11.so' | grep -q 'NEEDED.*libhsm'"
check "khsm-pkcs11: Depends p11-kit-modules, not libhsm1" \
	sh -c "d='$(field khsm-pkcs11 Depends)'; echo \"\$d\" | grep -q 'p11-kit-modules' && ! echo \"\$d\" | grep -q libhsm1"

# --- khsm-tools ---------------------------------------------------------------
has khsm-tools /usr/sbin/hsmctl /usr/lib/udev/rules.d/60-khsm.rules \
	/usr/lib/sysusers.d/khsm.conf /usr/lib/tmpfiles.d/khsm.conf \
	/usr/share/man/man8/hsmctl.8.gz /usr/share/man/man4/khsm.4.gz \
	/usr/share/doc/khsm-tools/README.Debian
check "sysusers.d/khsm.conf: the system group hsm" \
	grep -qE '^g[[:space:]]+hsm[[:space:]]+-' "$W/khsm-tools.data/usr/lib/sysusers.d/khsm.conf"
check "tmpfiles.d/khsm.conf: /var/lib/khsm 2770 root hsm, never aged" \
	grep -qE '^d[[:space:]]+/var/lib/khsm[[:space:]]+2770[[:space:]]+root[[:space:]]+hsm[[:space:]]+-$' \
	"$W/khsm-tools.data/usr/lib/tmpfiles.d/khsm.conf"
check "60-khsm.rules runs /usr/sbin/hsmctl load" \
	grep -q 'RUN+="/usr/sbin/hsmctl load %k"' "$W/khsm-tools.data/usr/lib/udev/rules.d/60-khsm.rules"
check "khsm-tools postinst: systemd-sysusers and -tmpfiles khsm.conf, no groupadd" \
	sh -c "f='$W/khsm-tools.ctl/postinst'; grep -q 'systemd-sysusers.* khsm.conf' \"\$f\" &&
		grep -q 'systemd-tmpfiles.*--create khsm.conf' \"\$f\" && ! grep -qE 'groupadd|addgroup' \"\$f\""
check "khsm-tools postinst writes options khsm gid= from getent group hsm" \
	sh -c "grep -q 'getent group hsm' '$W/khsm-tools.ctl/postinst' && grep -q 'options khsm gid=' '$W/khsm-tools.ctl/postinst'"
check "no maintainer script removes /var/lib/khsm" \
	sh -c "! grep -l 'rm .*/var/lib/khsm' $W/*.ctl/postrm $W/*.ctl/prerm 2>/dev/null"
check "khsm-tools: Depends on sysusers, Recommends khsm-dkms" \
	sh -c "echo '$(field khsm-tools Depends)' | grep -q sysusers && [ '$(field khsm-tools Recommends)' = khsm-dkms ]"

# The maintainer scripts: sh -n, and the purge path on a scratch root is
# not testable here; the VM test (pkgvm) installs and purges for real.
for p in $PKGS; do
	for s in "$W/$p.ctl"/p*; do
		[ -e "$s" ] || continue
		check "$p $(basename "$s"): sh -n" sh -n "$s"
	done
done

# --- lintian ------------------------------------------------------------------
if [ -f "$DEB/lintian.txt" ]; then
	grep -E '^[EWI]:' "$DEB/lintian.txt" | show
	if grep -q '^E:' "$DEB/lintian.txt"; then notok "lintian: no E:"
	else ok "lintian: no E: ($(grep -c '^W:' "$DEB/lintian.txt") W:, $(grep -c '^I:' "$DEB/lintian.txt") I:)"; fi
else
	notok "lintian: no build/deb/lintian.txt"
fi

# --- DKMS builds the packaged source ---------------------------------------------
# In a private source and DKMS tree (nothing registered on this host); as
# root in a mount namespace with a tmpfs over /var/lib/dkms, so that dkms's
# module signing key is not created on the host either.
dkms_build() { # kver kdir
	local kv=$1 kd=$2 tree=$W/dkms/$1 cmd
	mkdir -p "$tree/src" "$tree/dkms"
	cp -a "$W/khsm-dkms.data$S" "$tree/src/"
	cmd="dkms add khsm/$UPVER --sourcetree '$tree/src' --dkmstree '$tree/dkms' &&
	     nice dkms build khsm/$UPVER -k '$kv' --kernelsourcedir '$kd' \
		--sourcetree '$tree/src' --dkmstree '$tree/dkms'"
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
		unshare -m sh -c "mkdir -p /var/lib/dkms && mount -t tmpfs none /var/lib/dkms && $cmd"
	else
		sh -c "$cmd"
	fi >"$W/dkms-$kv.log" 2>&1 || { tail -n 20 "$W/dkms-$kv.log" | show; return 1; }
	local ko vm
	ko=$(find "$tree/dkms/khsm/$UPVER/$kv" -name 'khsm.ko*' | head -n1)
	if [ -z "$ko" ]; then
		echo "#   no khsm.ko built"
		return 1
	fi
	vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[ "$vm" = "$kv" ] || { echo "#   vermagic $vm"; return 1; }
}

KVER=${KVER:-$("$TOP/.ci/kernel" default 2>/dev/null)}
if [ "${KHSM_DEB_DKMS:-1}" = 0 ]; then
	skip "DKMS builds khsm $UPVER for $KVER" "KHSM_DEB_DKMS=0"
elif ! command -v dkms >/dev/null; then
	skip "DKMS builds khsm $UPVER" "dkms is not installed (make deps)"
else
	kvs=("$KVER")
	if [ "${KHSM_DEB_DKMS:-1}" = all ]; then
		if [ -z "${KVER_NEW+set}" ]; then KVER_NEW=$("$TOP/.ci/kernel" new 2>/dev/null || true); fi
		[ -z "$KVER_NEW" ] || [ "$KVER_NEW" = "$KVER" ] || kvs+=("$KVER_NEW")
	fi
	for kv in "${kvs[@]}"; do
		kd=$("$TOP/.ci/kernel" kdir "$kv" 2>/dev/null || true)
		if [ -z "$kd" ] || [ ! -f "$kd/Makefile" ]; then
			skip "DKMS builds khsm $UPVER for $kv" "no headers of $kv (make deps)"
			continue
		fi
		ts=$(date +%s)
		if dkms_build "$kv" "$kd"; then
			ok "DKMS builds khsm $UPVER from the packaged source for $kv ($(($(date +%s) - ts)) s)"
		else
			notok "DKMS builds khsm $UPVER from the packaged source for $kv"
		fi
	done
fi

echo "# deb_contents took $(($(date +%s) - t0)) s"
tap_end
