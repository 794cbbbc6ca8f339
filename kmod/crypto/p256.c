// SPDX-License-Identifier: GPL-2.0
/* NIST P-256 (FIPS 186-5, SEC 2 secp256r1) on the ecp_impl.h template. */
#include "ecp.h"

#define FE_LIMBS 4
#include "p256_table.h"
#include "ecp_impl.h"

const struct kc_ec_impl kc_p256_impl = KC_EC_IMPL_INIT;
