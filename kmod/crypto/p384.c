// SPDX-License-Identifier: GPL-2.0
/*
 * NIST P-384 (FIPS 186-5, SEC 2 secp384r1) on the ecp_impl.h template,
 * with the template's generic Montgomery multiplication (6 limbs).
 */
#include "ecp.h"

#define FE_LIMBS 6
#include "p384_table.h"
#include "ecp_impl.h"

const struct kc_ec_impl kc_p384_impl = KC_EC_IMPL_INIT;
