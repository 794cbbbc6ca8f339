# SPDX-License-Identifier: GPL-2.0
# khsm crypto engine objects, for inclusion from kmod/Kbuild (or
# Kbuild.mech):   include $(src)/crypto/Kbuild.frag
# Portable C, no kernel API beyond shim.h (get_random_bytes,
# memzero_explicit). Call kc_selftest() (selftest.h) at load before the
# token registers.
khsm-y += crypto/engine.o crypto/p256.o crypto/p384.o crypto/p521.o crypto/sha2.o \
	  crypto/sha3.o crypto/hkdf.o \
	  crypto/selftest.o crypto/x25519.o crypto/ed25519.o \
	  crypto/der.o crypto/pkcs8.o
# RSA (bn.c, bn_adx.c, rsa*.c)
khsm-y += $(patsubst $(src)/%.c,%.o,$(wildcard $(src)/crypto/bn.c $(src)/crypto/bn_adx.c $(src)/crypto/rsa*.c))

