#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# khsm VM stage 2: PID 1 after switch_root into the overlay of the host root.
# Sets up users, CPU crypto drivers and khsm.ko, runs the caller's command as
# root in the caller's cwd, unloads khsm, checks the kernel log and taint,
# writes the verdict to the second serial port (/dev/ttyS1) and powers off.
#
# Inputs (written by vm.sh into the per-run dir $khsm_run):
#   conf  shell assignments: khsm_cwd, khsm_nomod, khsm_timeout, khsm_kver,
#         khsm_disk (1: a state disk is attached), khsm_disk_dir,
#         khsm_rootdisk (1: vm.sh -R, the root's upper layer is on the disk),
#         khsm_fast (1: no CPU crypto driver modules)
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
cpumods=
[ "${khsm_fast:-0}" = 1 ] || cpumods=$(modprobe -R "$(cat /sys/devices/system/cpu/modalias)" 2>/dev/null |
	grep -Ev '^(kvm|kvm_amd|kvm_intel|powernow_k8|acpi_cpufreq|amd64_edac|intel_rapl.*|rapl|coretemp|k10temp|fam15h_power)$')
# shellcheck disable=SC2086
[ -n "$cpumods" ] && modprobe -a -q $cpumods 2>/dev/null
# pvpanic is already loaded by stage 1; make sure the PCI glue is there
modprobe -q pvpanic-pci 2>/dev/null

# The persistent state disk (vm.sh -d): virtio-blk with serial khsm-state,
# checked, mounted on /mnt/khsm-disk, its state/ bind-mounted on
# $khsm_disk_dir (default /var/lib/khsm) as root:hsm 2770. Runs beside the
# user setup and the module load (each is seconds of emulated CPU); says
# what failed on stdout and exits 1.
DISKMNT=/mnt/khsm-disk
disk_setup() {
	local dev="" b frc
	modprobe -q virtio_blk; modprobe -q ext4
	for _ in $(seq 100); do
		for b in /sys/block/vd*; do
			[ "$(cat "$b/serial" 2>/dev/null)" = khsm-state ] && dev=/dev/${b##*/}
		done
		[ -n "$dev" ] && [ -b "$dev" ] && break
		sleep 0.1
	done
	[ -n "$dev" ] || { echo "state disk (virtio-blk serial khsm-state) not found"; exit 1; }
	# -p replays the journal (after a power cut) and fixes what is safe;
	# exit 4 or more is damage it would not fix alone.
	e2fsck -p "$dev" >/tmp/khsm-e2fsck.log 2>&1
	frc=$?
	if [ $frc -ge 4 ]; then
		echo "e2fsck -p $dev: exit $frc: $(tr '\n' ' ' </tmp/khsm-e2fsck.log)"
		exit 1
	fi
	[ $frc != 0 ] && say "e2fsck -p $dev: exit $frc: $(tr '\n' ' ' </tmp/khsm-e2fsck.log)" >&2
	mkdir -p "$DISKMNT" && mount -t ext4 "$dev" "$DISKMNT" ||
		{ echo "mount $dev on $DISKMNT failed"; exit 1; }
	mkdir -p "$DISKMNT/state" "$khsm_disk_dir" ||
		{ echo "mkdir $DISKMNT/state $khsm_disk_dir failed"; exit 1; }
	chown root:hsm "$DISKMNT/state" && chmod 2770 "$DISKMNT/state" ||
		{ echo "cannot give $DISKMNT/state root:hsm 2770"; exit 1; }
	mount --bind "$DISKMNT/state" "$khsm_disk_dir" ||
		{ echo "bind mount of $DISKMNT/state on $khsm_disk_dir failed"; exit 1; }
	say "state disk $dev on $DISKMNT, state/ on $khsm_disk_dir" >&2
}

# Unprivileged test user in the token group; home on the tmpfs overlay.
# Not on a persistent root (vm.sh -R): there the command or the packages
# it installs create them.
[ "${khsm_rootdisk:-0}" = 1 ] || groupadd -f hsm || fatal "groupadd hsm failed"
disk_pid=
if [ "${khsm_disk:-0}" = 1 ]; then
	disk_setup >/tmp/khsm-disk.err &
	disk_pid=$!
fi
if [ "${khsm_rootdisk:-0}" != 1 ] && ! id hsmuser >/dev/null 2>&1; then
	useradd -m -d /home/hsmuser -U -G hsm -s /bin/bash hsmuser ||
		fatal "useradd hsmuser failed"
fi
KHSM_GID=$(getent group hsm | cut -d: -f3)
export KHSM_GID KVER=$khsm_kver KHSM_VM=1

if [ "$khsm_nomod" != 1 ]; then
	"$HERE/khsm-load" || fatal "loading khsm failed (see messages above)"
fi
if [ -n "$disk_pid" ]; then
	wait "$disk_pid" || fatal "state disk: $(cat /tmp/khsm-disk.err)"
	export KHSM_DISK=$DISKMNT
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
if [ "${khsm_disk:-0}" = 1 ]; then
	umount "$khsm_disk_dir" 2>/dev/null
	if ! umount "$DISKMNT"; then
		problems="$problems umount-state-disk-failed"
		say "umount $DISKMNT failed"
	fi
fi
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
