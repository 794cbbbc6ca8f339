# SPDX-License-Identifier: GPL-2.0
#
# khsm top-level build (see README.md).
#
#   make [all]        kmod/khsm.ko, libhsm-dev/libhsm.so, pkcs11/khsm-pkcs11.so, tests
#   make deps         install the apt packages and extract kernel-source helpers
#   make check        everything: build, lint, native tests, VM tests; ends with
#                     "N passed, N failed, N skipped"
#   make lint         checkpatch, sparse and W=1 over kmod/ (TAP)
#   make demo         boot the VM, create an EC key with pkcs11-tool, sign, verify
#   make bench        khsm vs SoftHSM2 in one VM boot (-cpu max, 2 vCPUs): ECDSA
#                     and RSA signs/s, C_Digest, C_FindObjects, C_GenerateRandom,
#                     1 vs 2 processes, find among 100 vs 100,000 objects, openssl
#                     speed; one "bench: <name> khsm=.. softhsm=.. ratio=.." line
#                     per figure and a table (BENCH_SECS=10 per measurement)
#   make bench-crypto the crypto engine vs OpenSSL (EVP), natively, one line
#                     per operation: "bench-crypto: <op> khsm=.. openssl=.. ratio=.."
#   make install      on a real host (root): module, udev rule, group, libs, p11-kit
#   make uninstall
#   make clean        build outputs (keeps the downloaded VM kernel in build/vm)
#   make distclean    also build/
#
# KVER selects the kernel (default: the one linux-headers-amd64 points at).

SHELL := /bin/bash
TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  grep -o 'linux-headers-[^ ,]*' | head -n1 | sed 's/^linux-headers-//')
ifeq ($(strip $(KVER)),)
KVER := 6.1.0-56-amd64
endif
export KVER
KDIR ?= $(if $(wildcard /lib/modules/$(KVER)/build/Makefile),/lib/modules/$(KVER)/build,/usr/src/linux-headers-$(KVER))
# The top-level Kbuild (obj-m += kmod/) when present, else kmod/ directly.
KMOD_M := $(if $(wildcard $(TOP)/Kbuild),$(TOP),$(TOP)/kmod)

DESTDIR ?=
PREFIX ?= /usr
MULTIARCH ?= $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
	       $(CC) -print-multiarch 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib$(if $(strip $(MULTIARCH)),/$(strip $(MULTIARCH)))
# Target kernel for `make install`: the running one.
INSTALL_KVER ?= $(shell uname -r)
DEPMOD ?= depmod -a
BENCH_SECS ?= 10

# Everything the build, the VM and the tests use (Debian bookworm names).
DEPS := make gcc libc6-dev pkg-config kmod cpio gzip xz-utils util-linux passwd \
	linux-headers-amd64 linux-headers-$(KVER) linux-source-6.1 \
	qemu-system-x86 busybox-static \
	opensc softhsm2 openssl gnutls-bin p11-kit libp11-kit-dev \
	libkeyutils-dev keyutils libnl-genl-3-dev libargon2-dev libssl-dev libcap-dev \
	sparse perl python3 python3-cryptography-vectors valgrind
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
LINUX_SRC := $(TOP)/build/linux-src
LINUX_SRC_FILES := tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h \
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch

.PHONY: all kmod libhsm pkcs11 tests deps check lint demo bench bench-crypto \
	install \
	uninstall clean distclean linux-src

all: kmod libhsm pkcs11 tests

kmod:
	$(MAKE) -C $(KDIR) M=$(KMOD_M) W=1 modules

libhsm:
	$(MAKE) -C $(TOP)/libhsm-dev

pkcs11: libhsm
	$(MAKE) -C $(TOP)/pkcs11

tests: $(if $(wildcard $(LINUX_SRC_TAR)),linux-src)
	$(MAKE) -C $(TOP)/qemu-tests

# --- dependencies -----------------------------------------------------------
deps: apt-deps
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile linux-src

$(LINUX_SRC)/.stamp:
	@test -r $(LINUX_SRC_TAR) || { echo "missing $(LINUX_SRC_TAR) (apt-get install linux-source-6.1)" >&2; exit 1; }
	rm -rf $(LINUX_SRC) && mkdir -p $(LINUX_SRC)
	tar -xJf $(LINUX_SRC_TAR) -C $(LINUX_SRC) --strip-components=1 \
		$(addprefix linux-source-6.1/,$(LINUX_SRC_FILES))
	touch $@

linux-src: $(LINUX_SRC)/.stamp

.PHONY: apt-deps
apt-deps:
	@missing=; for p in $(DEPS); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		[ "$$(id -u)" = 0 ] || { echo "make deps: need root to install:$$missing" >&2; exit 1; }; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# --- tests ------------------------------------------------------------------
check: deps
	@$(TOP)/.ci/check

lint: linux-src
	@$(TOP)/.ci/lint

demo: deps all
	$(TOP)/qemu-tests/vm.sh -k $(KVER) -- $(TOP)/qemu-tests/demo.sh

bench: deps all $(TOP)/build/p11bench
	@echo "bench: info host-loadavg=$$(cut -d' ' -f1 /proc/loadavg) host-cpus=$$(nproc) (before)"
	KHSM_BENCH_SECS=$(BENCH_SECS) $(TOP)/qemu-tests/vm.sh -p -k $(KVER) -- $(TOP)/qemu-tests/vm/bench.sh
	@echo "bench: info host-loadavg=$$(cut -d' ' -f1 /proc/loadavg) host-cpus=$$(nproc) (after)"

bench-crypto: deps
	$(MAKE) -C $(TOP)/qemu-tests/engine bench

$(TOP)/build/p11bench: $(TOP)/qemu-tests/vm/p11bench.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $$(pkg-config --cflags p11-kit-1 libcrypto) \
		-o $@ $< -ldl $$(pkg-config --libs libcrypto)

# --- install on a real host ---------------------------------------------------
install:
	@test -e $(TOP)/kmod/khsm.ko || { echo "build first: make" >&2; exit 1; }
	install -D -m 0644 $(TOP)/kmod/khsm.ko $(DESTDIR)/lib/modules/$(INSTALL_KVER)/extra/khsm.ko
	install -D -m 0644 $(TOP)/udev/60-khsm.rules $(DESTDIR)/etc/udev/rules.d/60-khsm.rules
	@set -e; if [ -z "$(DESTDIR)" ]; then \
		groupadd -f hsm; $(DEPMOD) $(INSTALL_KVER); \
	fi; \
	gid=$${KHSM_GID:-$$(getent group hsm | cut -d: -f3)}; \
	[ -n "$$gid" ] || { echo "make install: no group hsm here; set KHSM_GID=<gid> for DESTDIR installs" >&2; exit 1; }; \
	mkdir -p $(DESTDIR)/etc/modprobe.d; \
	echo "options khsm gid=$$gid" >$(DESTDIR)/etc/modprobe.d/khsm.conf; \
	echo "wrote $(DESTDIR)/etc/modprobe.d/khsm.conf: options khsm gid=$$gid"
	$(MAKE) -C $(TOP)/libhsm-dev install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR)
	$(MAKE) -C $(TOP)/pkcs11 install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR)
	@if [ -z "$(DESTDIR)" ]; then \
		udevadm control --reload 2>/dev/null || true; \
		echo "installed; load with: modprobe khsm (tokens in group hsm: usermod -aG hsm USER)"; \
	fi

uninstall:
	-@if [ -z "$(DESTDIR)" ] && grep -q '^khsm ' /proc/modules; then rmmod khsm; fi
	rm -f $(DESTDIR)/lib/modules/$(INSTALL_KVER)/extra/khsm.ko \
	      $(DESTDIR)/etc/udev/rules.d/60-khsm.rules \
	      $(DESTDIR)/etc/modprobe.d/khsm.conf
	$(MAKE) -C $(TOP)/libhsm-dev uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR)
	$(MAKE) -C $(TOP)/pkcs11 uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR)
	-@if [ -z "$(DESTDIR)" ]; then $(DEPMOD) $(INSTALL_KVER); udevadm control --reload 2>/dev/null; true; fi

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
	rm -rf $(TOP)/build/lint $(TOP)/build/check

distclean: clean
	rm -rf $(TOP)/build
