#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# khsm VM stage 2: PID 1 after switch_root into the overlay of the host root.
# Sets up users, CPU crypto drivers and khsm.ko, runs the caller's command as
# root in the caller's cwd, unloads khsm, checks the kernel log and taint,
# writes the verdict to the second serial port (/dev/ttyS1) and powers off.
#
# Inputs (written by vm.sh into the per-run dir $khsm_run):
#   conf  shell assignments: khsm_cwd, khsm_nomod, khsm_timeout, khsm_kver
#   cmd   the command string, run with bash -c
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
VERDICT=/dev/ttyS1
HERE=$(dirname "$0")

say() { echo "khsm-vm: $*"; }

poweroff_now() {
	sync
	busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 10
}

fatal() {
	say "FATAL: $*"
	{
		echo "rc: 1"
		echo "kernel: fail setup: $*"
		echo "dmesg-begin"
		dmesg
		echo "dmesg-end"
		echo "verdict-end"
	} >"$VERDICT"
	poweroff_now
}

# shellcheck source=/dev/null
. "$khsm_run/conf" || fatal "cannot read $khsm_run/conf"

[ -e /proc/self ] || mount -t proc proc /proc
[ -d /sys/kernel ] || mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
say "stage 2 at $(cut -d' ' -f1 /proc/uptime)s"
mountpoint -q /run || mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /dev/pts /dev/shm
mountpoint -q /dev/pts || mount -t devpts -o gid=5,mode=0620 devpts /dev/pts
mountpoint -q /dev/shm || mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname khsm-vm
ip link set lo up 2>/dev/null

# CPU-optimised crypto drivers, as udev coldplug would load on a real host
# (a few "No such device" errors are expected and ignored).
# kvm_* and cpufreq drivers match too but only cost boot time (~10 s in TCG).
cpumods=$(modprobe -R "$(cat /sys/devices/system/cpu/modalias)" 2>/dev/null |
	grep -Ev '^(kvm|kvm_amd|kvm_intel|powernow_k8|acpi_cpufreq|amd64_edac|intel_rapl.*|rapl|coretemp|k10temp|fam15h_power)$')
# shellcheck disable=SC2086
[ -n "$cpumods" ] && modprobe -a -q $cpumods 2>/dev/null
# pvpanic is already loaded by stage 1; make sure the PCI glue is there
modprobe -q pvpanic-pci 2>/dev/null

# Unprivileged test user in the token group; home on the tmpfs overlay.
groupadd -f hsm || fatal "groupadd hsm failed"
if ! id hsmuser >/dev/null 2>&1; then
	useradd -m -d /home/hsmuser -U -G hsm -s /bin/bash hsmuser ||
		fatal "useradd hsmuser failed"
fi
KHSM_GID=$(getent group hsm | cut -d: -f3)
export KHSM_GID KVER=$khsm_kver KHSM_VM=1

if [ "$khsm_nomod" != 1 ]; then
	"$HERE/khsm-load" || fatal "loading khsm failed (see messages above)"
fi

# --- the caller's command
say "setup done at $(cut -d' ' -f1 /proc/uptime)s"
say "running: $(cat "$khsm_run/cmd")"
cd "$khsm_cwd" || fatal "cannot cd to $khsm_cwd"
timeout -k 10 "$khsm_timeout" bash -c "$(cat "$khsm_run/cmd")" </dev/null
rc=$?
[ $rc = 124 ] && say "command timed out after ${khsm_timeout}s"
cd /

# --- teardown and kernel checks
problems=
# nothing may keep /dev/hsm* open past the command
kill -9 -1 2>/dev/null
sleep 0.2
if grep -q '^khsm ' /proc/modules; then
	if ! rmmod khsm; then
		problems="$problems rmmod-khsm-failed"
		say "rmmod khsm failed"
	fi
fi
sleep 0.2
pat='BUG |BUG:|WARNING:|Call Trace|Poison overwritten|Redzone|refcount_t|Oops|general protection fault|kernel BUG|Slab cache still has objects|Objects remaining|object allocated at|memory leak'
if dmesg | grep -Eq "$pat"; then
	problems="$problems kernel-log:$(dmesg | grep -Eo "$pat" | sort -u | tr ' :' '__' | paste -sd, -)"
fi
taint=$(cat /proc/sys/kernel/tainted)
# O (4096, out-of-tree) and E (8192, unsigned) are expected for khsm.ko
if [ $((taint & ~(4096 | 8192))) -ne 0 ]; then
	problems="$problems tainted=$taint"
fi

{
	echo "rc: $rc"
	if [ -z "$problems" ]; then
		echo "kernel: ok"
	else
		echo "kernel: fail$problems"
	fi
	echo "dmesg-begin"
	dmesg
	echo "dmesg-end"
	echo "verdict-end"
} >"$VERDICT"
poweroff_now
