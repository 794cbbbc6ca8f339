#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khsm-test: root
#
# `make install` / `make uninstall` on the VM's (throw-away, tmpfs overlay)
# root file system, as on a real host: module + depmod, modprobe.d gid
# option, udev rule, group, libhsm with headers and pkg-config file, the
# PKCS#11 module and its p11-kit module file; then p11-kit finds khsm by the
# installed (relative) module path and a program builds against the
# installed libhsm. The harness's own khsm.ko is restored afterwards.
. "$(dirname "$0")/tap.inc"
flow_require_module
if ! grep -q ' / overlay ' /proc/mounts; then
	echo "1..0 # SKIP not in the khsm VM (would install into this machine)"
	exit 0
fi
KV=$(uname -r)
EXTRA=/lib/modules/$KV/extra/khsm.ko
LIB=/usr/lib/x86_64-linux-gnu
cp "$EXTRA" "$W/harness-khsm.ko"
# A full depmod of Debian's ~4000 modules takes minutes under TCG, so make
# runs with DEPMOD=true: the installed file replaces the harness's copy at
# the same path (extra/khsm.ko), which the harness has already depmod'ed.
restore() {
	mkdir -p "$(dirname "$EXTRA")"
	cp "$W/harness-khsm.ko" "$EXTRA"
}
# The state directory must not outlive the flow: later tests in this
# boot would persist into it.
trap 'restore; rm -rf "$W" /var/lib/khsm' EXIT
grep -q '^khsm ' /proc/modules && rmmod khsm

step "make install" make --no-print-directory -C "$FLOW_REPO" install INSTALL_KVER="$KV" DEPMOD=true
hsmgid=$(getent group hsm | cut -d: -f3)
export hsmgid LIB KV
check "module in /lib/modules/$KV/extra and known to modprobe" \
	'[ -f /lib/modules/$KV/extra/khsm.ko ] && modinfo -n khsm | grep -q extra/khsm.ko'
check "udev rule installed (group from the kernel's khsm_gid, mode 0660)" \
	'grep -q "KERNEL==\"hsm\[0-9\]\*\", GROUP=\"\$attr{khsm_gid}\", MODE=\"0660\"" /etc/udev/rules.d/60-khsm.rules'
check "hsmctl installed where the udev rule runs it" \
	'[ -x /usr/sbin/hsmctl ] && grep -q "RUN+=\"/usr/sbin/hsmctl load %k\"" /etc/udev/rules.d/60-khsm.rules'
step "hsmctl(8) installed and renders (man -l)" \
	bash -c '[ -f /usr/share/man/man8/hsmctl.8 ] && man -l /usr/share/man/man8/hsmctl.8 | cat' &&
	check "it documents the admin commands and exit codes" \
		'grep -q "hsmctl audit verify FILE" <<<"$OUT" && grep -q "EXIT STATUS" <<<"$OUT"'
step "khsm(4) installed and found by man (man 4 khsm)" \
	bash -c '[ -f /usr/share/man/man4/khsm.4 ] && man 4 khsm | cat' &&
	check "it documents the ioctls and the module parameters" \
		'grep -q "KHSM_IOC_VERSION" <<<"$OUT" && grep -q "max_token_mib" <<<"$OUT"'
step "khsm-pkcs11(7) installed and found by man (man 7 khsm-pkcs11)" \
	bash -c '[ -f /usr/share/man/man7/khsm-pkcs11.7 ] && man 7 khsm-pkcs11 | cat' &&
	check "it documents the mechanisms and the environment" \
		'grep -q "CKM_ECDSA_SHA256" <<<"$OUT" && grep -q "KHSM_PKCS11_DEBUG" <<<"$OUT"'
check "state directory /var/lib/khsm, group hsm, mode 2770" \
	'[ "$(stat -c %a:%g /var/lib/khsm)" = "2770:$hsmgid" ]'
check "/etc/modprobe.d/khsm.conf sets gid of group hsm" \
	'grep -qx "options khsm gid=$hsmgid" /etc/modprobe.d/khsm.conf'
step "modprobe khsm (options from modprobe.d)" modprobe khsm &&
	check "module parameter gid is the hsm group" \
		'[ ! -r /sys/module/khsm/parameters/gid ] || [ "$(cat /sys/module/khsm/parameters/gid)" = "$hsmgid" ]'
# udevd does not run in the VM: apply the installed rule's effect.
step "device node group/mode as the rule sets them" "$FLOW_REPO/qemu-tests/vm/khsm-load"
check "libhsm, headers and pkg-config file installed" \
	'[ -e $LIB/libhsm.so.1 ] && [ -e /usr/include/khsm/hsm.h ] && [ -e /usr/include/linux/khsm.h ] && pkg-config --exists libhsm'
cat >prog.c <<'EOF'
#include <khsm/hsm.h>
int main(void) { return 0; }
EOF
step "a program compiles and links against the installed libhsm" \
	bash -c 'cc -o prog prog.c $(pkg-config --cflags --libs libhsm) && ./prog'
check "PKCS#11 module and p11-kit module file installed" \
	'[ -e $LIB/pkcs11/khsm-pkcs11.so ] && [ -e /usr/share/p11-kit/modules/khsm.module ]'
chmod 0755 "$W"
step "p11-kit list-modules (as hsmuser) finds the installed khsm module" \
	setpriv --reuid=hsmuser --regid=hsmuser --init-groups env HOME=/home/hsmuser \
	p11-kit list-modules &&
	check "khsm listed with library-manufacturer" \
		'awk "/^khsm:/{m=1} m&&/library-manufacturer/{f=1} END{exit !(m&&f)}" <<<"$OUT"'

step "make uninstall" make --no-print-directory -C "$FLOW_REPO" uninstall INSTALL_KVER="$KV" DEPMOD=true
check "everything removed and the module unloaded" \
	'! grep -q "^khsm " /proc/modules && [ ! -e /lib/modules/$KV/extra/khsm.ko ] &&
	 [ ! -e /etc/udev/rules.d/60-khsm.rules ] && [ ! -e /etc/modprobe.d/khsm.conf ] &&
	 [ ! -e $LIB/libhsm.so.1 ] && [ ! -e /usr/include/khsm/hsm.h ] && [ ! -e /usr/sbin/hsmctl ] &&
	 [ ! -e /var/lib/khsm ] &&
	 [ ! -e $LIB/pkcs11/khsm-pkcs11.so ] && [ ! -e /usr/share/p11-kit/modules/khsm.module ]'
check "hsmctl(8) removed" '[ ! -e /usr/share/man/man8/hsmctl.8 ]'
check "khsm(4) and khsm-pkcs11(7) removed" \
	'[ ! -e /usr/share/man/man4/khsm.4 ] && [ ! -e /usr/share/man/man7/khsm-pkcs11.7 ]'
flow_end
