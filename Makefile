# SPDX-License-Identifier: GPL-2.0
#
# khsm top-level build (see README.md).
#
#   make [all]        kmod/khsm.ko, libhsm-dev/libhsm.so, pkcs11/khsm-pkcs11.so
#                     (what `make install` installs; no test build)
#   make tests        the C test binaries (qemu-tests/build; needs make deps)
#   make deps         install the apt packages, add bookworm-backports, fetch
#                     the kernel headers, extract kernel-source helpers
#   make check        everything: build, lint, native tests, VM tests on KVER
#                     and a subset on KVER_NEW; ends with
#                     "N passed, N failed, N skipped"
#   make check-native no VM: build, lint, unit tests, the engine's quick tests
#   make check-engine the crypto engine's full native suite (ten times the
#                     random cases of make check's QUICK=1 run, RSA a hundred)
#   make check-vm T='<glob> ...'  only the VM tests matching the globs, on KVER
#                     (flows need the .sh suffix; the multi-boot scenarios of
#                     qemu-tests/persist match too, e.g. T='persist_*')
#   make check-pkg    the packages in the VM (qemu-tests/pkg; also make
#                     check-vm T='pkg_*'; not in make check: about 40
#                     minutes under TCG, most of it DKMS compiling): make deb, then
#                     apt install of the .debs on a persistent VM root
#                     (vm.sh -R), DKMS, p11-kit use as a user, reboot, purge,
#                     reinstall, DKMS for KVER_NEW's headers and a boot of it
#   make check-powercut  the power-cut scenario alone, long: N=200 cuts (make
#                     check runs it with 6, make check-vm with the scenario's 20)
#   make lint         checkpatch, sparse and W=1 over kmod/ (TAP), every kernel
#   make demo         boot the VM, create an EC key with pkcs11-tool, sign, verify
#   make bench        khsm vs SoftHSM2 in one VM boot (-cpu max, 2 vCPUs): ECDSA
#                     and RSA signs/s, C_Digest, C_FindObjects, C_GenerateRandom,
#                     1 vs 2 processes, find among 100 vs 100,000 objects, openssl
#                     speed; one "bench: <name> khsm=.. softhsm=.. ratio=.." line
#                     per figure and a table (BENCH_SECS=10 per measurement;
#                     BENCH_TESTS="digest:1 ecdsa:2" runs only those); with
#                     the state directory on a disk image: token-object
#                     create/s and `hsmctl load` of 10,000 objects
#   make fuzz         the ioctl fuzzer and the race tests, long (FUZZ_CALLS=2000000
#                     calls, at most FUZZ_SECS=1800 s; RACE_SECS=20 per race;
#                     KHSM_FUZZ_SEED=<n> replays a seed), in one VM boot
#   make bench-crypto the crypto engine vs OpenSSL (EVP), natively, one line
#                     per operation: "bench-crypto: <op> khsm=.. openssl=.. ratio=.."
#   make install      on a real host (root): module, udev rule, group, libs,
#                     hsmctl (SBINDIR, default /usr/sbin), the state
#                     directory /var/lib/khsm (root:hsm 2770), p11-kit
#   make uninstall
#   make deb          the Debian packages (dpkg-buildpackage -us -uc -b on a
#                     copy of the tree under build/deb/src): khsm-dkms,
#                     libhsm1, libhsm-dev, khsm-pkcs11, khsm-tools, in build/deb/
#                     (and khsm_*.changes, .buildinfo; no -dbgsym packages:
#                     DEB_BUILD_OPTIONS=noautodbgsym); then lintian, which
#                     fails it on any E: (build/deb/lintian.txt)
#   make lintian      lintian on the packages in build/deb/ alone
#   make clean        build outputs (keeps the downloaded VM kernel in build/vm)
#   make distclean    also build/
#
# Kernels (.ci/kernel decides the defaults):
#   KVER      the kernel khsm.ko is built for, the VM boots and `make install`
#             installs into; default: the one Debian's linux-headers-amd64
#             points at (bookworm: 6.1). Build on a host for its running
#             kernel with `make KVER=$(uname -r)`.
#   KVER_NEW  the newer kernel `make check` and `make lint` also cover
#             (default: the newest 6.12 apt offers; empty: none).
#   KDIR      the headers to build against (default: installed ones, else
#             those `make deps` unpacked under build/kernel/<KVER>).

SHELL := /bin/bash
TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

ifeq ($(origin KVER),undefined)
KVER := $(shell $(TOP)/.ci/kernel default)
endif
export KVER
ifeq ($(origin KDIR),undefined)
KDIR := $(shell $(TOP)/.ci/kernel kdir $(KVER))
endif
# The top-level Kbuild (obj-m += kmod/) when present, else kmod/ directly.
KMOD_M := $(if $(wildcard $(TOP)/Kbuild),$(TOP),$(TOP)/kmod)

DESTDIR ?=
PREFIX ?= /usr
# dpkg-architecture is in dpkg-dev; Debian's gcc knows the triplet too.
MULTIARCH ?= $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
	     $(CC) -print-multiarch 2>/dev/null | grep . || echo x86_64-linux-gnu)
LIBDIR ?= $(PREFIX)/lib/$(MULTIARCH)
# hsmctl; the udev rule is installed with this path in its RUN.
SBINDIR ?= /usr/sbin
# hsmctl.8 goes to MANDIR/man8, khsm.4 to man4, khsm-pkcs11.7 to man7.
MANDIR ?= $(PREFIX)/share/man
# The token state directory (root:hsm 2770; its existence turns
# persistence on). libhsm's default (HSM_STATE_DIR_DEFAULT) is this path;
# uninstall keeps it when it holds anything: it holds the keys.
STATEDIR := /var/lib/khsm
# `make install` installs khsm.ko into the kernel it was built for (its
# vermagic, i.e. KVER at build time); INSTALL_KVER must agree with it.
BUILT_KVER = $(shell modinfo -F vermagic $(TOP)/kmod/khsm.ko 2>/dev/null | cut -d' ' -f1)
INSTALL_KVER ?= $(or $(BUILT_KVER),$(KVER))
DEPMOD ?= depmod -a
BENCH_SECS ?= 10
# power cuts of make check-powercut
N ?= 200
FUZZ_CALLS ?= 2000000
FUZZ_SECS ?= 1800
RACE_SECS ?= 20

# Everything the build, the VM and the tests use (Debian bookworm names).
# linux-base: linux-run-hooks, which the 6.12 headers' postinst runs (and
# so DKMS's header_postinst.d hook) when make check-pkg installs them in the VM.
DEPS := make gcc libc6-dev pkg-config kmod cpio gzip xz-utils util-linux passwd \
	linux-headers-amd64 linux-source-6.1 dwarves \
	qemu-system-x86 busybox-static \
	opensc softhsm2 openssl gnutls-bin p11-kit libp11-kit-dev \
	libkeyutils-dev keyutils libnl-genl-3-dev libargon2-dev libssl-dev libcap-dev \
	sparse perl python3 python3-cryptography-vectors valgrind \
	dpkg-dev libcmocka-dev udev groff-base man-db \
	debhelper dh-dkms dkms lintian fakeroot libengine-pkcs11-openssl linux-base
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
LINUX_SRC := $(TOP)/build/linux-src
LINUX_SRC_FILES := tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h \
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch

.PHONY: all kmod libhsm pkcs11 tests deps check check-native check-engine check-vm lint deb lintian \
	demo bench bench-crypto fuzz install check-powercut check-pkg \
	uninstall clean distclean linux-src opensc-src

# all is what `make install` installs: no test build (the tests need the
# kselftest header that `make deps` extracts).
all: kmod libhsm pkcs11

kmod:
	@test -f $(KDIR)/Makefile || { echo "kmod: no headers of '$(KVER)' in $(KDIR) (make deps)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(KMOD_M) W=1 modules

libhsm:
	$(MAKE) -C $(TOP)/libhsm-dev

pkcs11: libhsm
	$(MAKE) -C $(TOP)/pkcs11

tests: $(if $(wildcard $(LINUX_SRC_TAR)),linux-src) $(TOP)/build/p11bench opensc-src
	$(MAKE) -C $(TOP)/qemu-tests

# OpenSC's test scripts and p11test from Debian's source package (cached
# under build/opensc; qemu-tests/flows/opensc_scripts.sh runs them).
opensc-src:
	@$(TOP)/qemu-tests/opensc/fetch.sh $(TOP)/build/opensc

# --- dependencies -----------------------------------------------------------
# Headers of KVER and KVER_NEW: installed ones are used as they are, others
# are downloaded and unpacked under build/kernel/ (.ci/kernel headers).
deps: apt-deps
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile linux-src
	@kv='$(KVER)'; [ -n "$$kv" ] || kv=$$($(TOP)/.ci/kernel default); \
	$(TOP)/.ci/kernel headers "$$kv"
	@kn=$$($(TOP)/.ci/kernel new); \
	if [ -n "$$kn" ]; then $(TOP)/.ci/kernel headers "$$kn"; \
	else echo "make deps: no 6.12 kernel in the apt sources (run make deps as root to add bookworm-backports, or set KVER_NEW=)" >&2; fi

$(LINUX_SRC)/.stamp:
	@test -r $(LINUX_SRC_TAR) || { echo "missing $(LINUX_SRC_TAR) (apt-get install linux-source-6.1)" >&2; exit 1; }
	rm -rf $(LINUX_SRC) && mkdir -p $(LINUX_SRC)
	tar -xJf $(LINUX_SRC_TAR) -C $(LINUX_SRC) --strip-components=1 \
		$(addprefix linux-source-6.1/,$(LINUX_SRC_FILES))
	touch $@

linux-src: $(LINUX_SRC)/.stamp

# As root, bookworm-backports (the 6.12 kernel) is added to the apt sources
# the way the Debian archive is configured (.ci/apt-backports).
.PHONY: apt-deps
apt-deps:
	@set -e; updated=; \
	if [ "$$(id -u)" = 0 ]; then \
		added=$$($(TOP)/.ci/apt-backports); \
		if [ -n "$$added" ]; then echo "$$added"; apt-get update; updated=1; fi; \
	fi; \
	missing=; for p in $(DEPS); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		[ "$$(id -u)" = 0 ] || { echo "make deps: need root to install:$$missing" >&2; exit 1; }; \
		[ -n "$$updated" ] || apt-get update; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# --- tests ------------------------------------------------------------------
check: deps
	@$(TOP)/.ci/check

check-native: linux-src
	@$(TOP)/.ci/check --native

check-engine: deps
	$(MAKE) --no-print-directory -C $(TOP)/qemu-tests/engine check

# make check-vm T='p11_* uapi_test': only the VM tests whose names
# match the globs (qemu-tests/run-all.sh), on KVER.
check-vm: linux-src
	@[ -n "$(strip $(T))" ] || { echo "usage: make check-vm T='<glob> ...'" >&2; exit 2; }
	@$(TOP)/.ci/check --vm $(foreach g,$(T),'$(g)')

check-pkg: linux-src
	@$(TOP)/.ci/check --vm 'pkg_*'

# make check-powercut N=200: the power-cut loop of qemu-tests/persist
# (make check does 6 cuts, make check-vm T=persist_powercut.sh 20), on KVER.
check-powercut: linux-src
	@KHSM_POWERCUT_N=$(N) $(TOP)/.ci/check --vm persist_powercut.sh

lint: linux-src
	@$(TOP)/.ci/lint

demo: deps all
	$(MAKE) -C $(TOP)/qemu-tests $(TOP)/qemu-tests/build/tools/kr_keygen
	$(TOP)/qemu-tests/vm.sh -k $(KVER) -- $(TOP)/qemu-tests/demo.sh

bench: deps all $(TOP)/build/p11bench
	@echo "bench: info host-loadavg=$$(cut -d' ' -f1 /proc/loadavg) host-cpus=$$(nproc) (before)"
	$(TOP)/qemu-tests/vm/mkdisk $(TOP)/build/bench.img 1024
	KHSM_BENCH_SECS=$(BENCH_SECS) KHSM_BENCH_TESTS='$(BENCH_TESTS)' $(TOP)/qemu-tests/vm.sh -p \
		-d $(TOP)/build/bench.img -t 3600 -k $(KVER) -- $(TOP)/qemu-tests/vm/bench.sh
	@rm -f $(TOP)/build/bench.img
	@echo "bench: info host-loadavg=$$(cut -d' ' -f1 /proc/loadavg) host-cpus=$$(nproc) (after)"

# The CI run of make check does 200,000 calls and 4 s per race.
fuzz: linux-src
	$(MAKE) -C $(TOP) all tests
	KHSM_FUZZ_CALLS=$(FUZZ_CALLS) KHSM_FUZZ_SECS=$(FUZZ_SECS) KHSM_RACE_SECS=$(RACE_SECS) \
		$(TOP)/qemu-tests/vm.sh -k $(KVER) -t $$(($(FUZZ_SECS) + 900)) -- \
		$(TOP)/qemu-tests/run-all.sh -t $$(($(FUZZ_SECS) + 600)) fuzz_root_test race_test

bench-crypto: deps
	$(MAKE) -C $(TOP)/qemu-tests/engine bench

$(TOP)/build/p11bench: $(TOP)/qemu-tests/vm/p11bench.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $$(pkg-config --cflags p11-kit-1 libcrypto) \
		-o $@ $< -ldl $$(pkg-config --libs libcrypto)

# --- install on a real host ---------------------------------------------------
install:
	@test -e $(TOP)/kmod/khsm.ko || { echo "build first: make" >&2; exit 1; }
	@[ "$(BUILT_KVER)" = "$(INSTALL_KVER)" ] || { \
		echo "make install: kmod/khsm.ko is built for $(BUILT_KVER), not INSTALL_KVER=$(INSTALL_KVER): make KVER=$(INSTALL_KVER) first" >&2; exit 1; }
	@[ -n "$(DESTDIR)" ] || [ "$(INSTALL_KVER)" = "$$(uname -r)" ] || \
		echo "make install: note: installing for $(INSTALL_KVER), the running kernel is $$(uname -r) (for it: make KVER=$$(uname -r) && sudo make install)"
	install -D -m 0644 $(TOP)/kmod/khsm.ko $(DESTDIR)/lib/modules/$(INSTALL_KVER)/extra/khsm.ko
	install -d $(DESTDIR)/etc/udev/rules.d
	sed 's|/usr/sbin/hsmctl|$(SBINDIR)/hsmctl|' $(TOP)/udev/60-khsm.rules \
		>$(DESTDIR)/etc/udev/rules.d/60-khsm.rules
	chmod 0644 $(DESTDIR)/etc/udev/rules.d/60-khsm.rules
	install -D -m 0644 $(TOP)/kmod/khsm.4 $(DESTDIR)$(MANDIR)/man4/khsm.4
	@set -e; if [ -z "$(DESTDIR)" ]; then \
		groupadd -f hsm; $(DEPMOD) $(INSTALL_KVER); \
	fi; \
	gid=$${KHSM_GID:-$$(getent group hsm | cut -d: -f3)}; \
	[ -n "$$gid" ] || { echo "make install: no group hsm here; set KHSM_GID=<gid> for DESTDIR installs" >&2; exit 1; }; \
	mkdir -p $(DESTDIR)/etc/modprobe.d; \
	echo "options khsm gid=$$gid" >$(DESTDIR)/etc/modprobe.d/khsm.conf; \
	echo "wrote $(DESTDIR)/etc/modprobe.d/khsm.conf: options khsm gid=$$gid"; \
	mkdir -p $(DESTDIR)$(STATEDIR); \
	chgrp $$gid $(DESTDIR)$(STATEDIR) 2>/dev/null || \
		echo "make install: note: chgrp $$gid $(DESTDIR)$(STATEDIR) failed (not root?)"; \
	chmod 2770 $(DESTDIR)$(STATEDIR)
	$(MAKE) -C $(TOP)/libhsm-dev install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR)
	$(MAKE) -C $(TOP)/pkcs11 install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) MANDIR=$(MANDIR)
	@if [ -z "$(DESTDIR)" ]; then \
		udevadm control --reload 2>/dev/null || true; \
		echo "installed; load with: modprobe khsm (tokens in group hsm: usermod -aG hsm USER)"; \
	fi

uninstall:
	-@if [ -z "$(DESTDIR)" ] && grep -q '^khsm ' /proc/modules; then rmmod khsm; fi
	rm -f $(DESTDIR)/lib/modules/$(INSTALL_KVER)/extra/khsm.ko \
	      $(DESTDIR)/etc/udev/rules.d/60-khsm.rules \
	      $(DESTDIR)/etc/modprobe.d/khsm.conf \
	      $(DESTDIR)$(MANDIR)/man4/khsm.4
	-@rmdir $(DESTDIR)$(STATEDIR) 2>/dev/null || \
		{ [ ! -d $(DESTDIR)$(STATEDIR) ] || echo "make uninstall: kept $(DESTDIR)$(STATEDIR) (token state)"; }
	$(MAKE) -C $(TOP)/libhsm-dev uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR)
	$(MAKE) -C $(TOP)/pkcs11 uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) MANDIR=$(MANDIR)
	-@if [ -z "$(DESTDIR)" ]; then $(DEPMOD) $(INSTALL_KVER); udevadm control --reload 2>/dev/null; true; fi

# --- Debian packages ----------------------------------------------------------
# dpkg-buildpackage writes its outputs to the parent of the source tree, so
# it runs on a copy under build/deb/src: git's files (tracked and untracked
# but not ignored, as they are in the work tree), or without git the tree
# minus build outputs. The copy has no objects of an in-tree build.
DEB_DIR := $(TOP)/build/deb
deb:
	@set -e; rm -rf $(DEB_DIR); mkdir -p $(DEB_DIR)/src/khsm; \
	if git -C $(TOP) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git -C $(TOP) ls-files -z --cached --others --exclude-standard | \
		(cd $(TOP) && while IFS= read -r -d '' f; do [ -e "$$f" ] && printf '%s\0' "$$f"; done) | \
		(cd $(TOP) && cpio -0 -pdm --quiet $(DEB_DIR)/src/khsm); \
	else \
		tar -C $(TOP) --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.ko' \
		    --exclude='*.so' --exclude='*.so.*' --exclude='*.a' --exclude='.*.cmd' -cf - . | \
		tar -C $(DEB_DIR)/src/khsm -xf -; \
	fi
	cd $(DEB_DIR)/src/khsm && DEB_BUILD_OPTIONS="noautodbgsym $$DEB_BUILD_OPTIONS" nice dpkg-buildpackage -us -uc -b -j2
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile lintian
	@ls -1 $(DEB_DIR)/*.deb

# lintian's findings go to build/deb/lintian.txt; any E: fails.
lintian:
	@ls $(DEB_DIR)/*.changes >/dev/null 2>&1 || { echo "lintian: no build/deb/*.changes (make deb)" >&2; exit 1; }
	@set -e; lintian --display-info --tag-display-limit 0 $(DEB_DIR)/*.changes \
		>$(DEB_DIR)/lintian.txt 2>&1 || true; \
	cat $(DEB_DIR)/lintian.txt; \
	if grep -q '^E:' $(DEB_DIR)/lintian.txt; then echo "lintian: errors (E:) above" >&2; exit 1; fi; \
	echo "lintian: no errors ($$(grep -c '^W:' $(DEB_DIR)/lintian.txt) W:, $$(grep -c '^I:' $(DEB_DIR)/lintian.txt) I:)"

# --- clean -------------------------------------------------------------------
# kbuild's clean deletes every *.ko/*.o under M=, so it gets kmod/ only,
# never the top (build/vm/ holds the unpacked kernel's modules).
clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kmod clean
	rm -f $(TOP)/Module.symvers $(TOP)/modules.order $(TOP)/.Module.symvers.cmd \
	      $(TOP)/.modules.order.cmd
	-$(MAKE) -C $(TOP)/libhsm-dev clean
	-$(MAKE) -C $(TOP)/pkcs11 clean
	-$(MAKE) -C $(TOP)/qemu-tests clean
	-$(MAKE) -C $(TOP)/qemu-tests/engine clean
	rm -rf $(TOP)/build/lint $(TOP)/build/check $(TOP)/build/deb

distclean: clean
	rm -rf $(TOP)/build
