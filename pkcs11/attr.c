// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: CK_ATTRIBUTE arrays and handles <-> libhsm/uAPI.
 *
 * The uAPI carries CK_ULONG attribute values as 8 bytes and CK_BBOOL as one
 * byte, and libhsm's struct hsm_attr has the layout of CK_ATTRIBUTE on
 * LP64 (the only ABI this module builds for; see the static assertions).
 * So a caller's template is handed over as is, with no copy: values,
 * lengths, the length-query protocol (pValue NULL) and the per-attribute
 * CK_UNAVAILABLE_INFORMATION answers of C_GetAttributeValue travel both
 * ways untouched, and the kernel judges every value. The attribute-array
 * values of CKA_WRAP_TEMPLATE / CKA_UNWRAP_TEMPLATE are libhsm's to
 * convert (flat records for the uAPI, PKCS#11's two-step GET back).
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

_Static_assert(sizeof(CK_ULONG) == sizeof(uint64_t),
	       "CK_ULONG attribute values must be the uAPI's 8 bytes");
_Static_assert(sizeof(CK_BBOOL) == 1, "CK_BBOOL must be one byte");
_Static_assert(sizeof(CK_ATTRIBUTE) == sizeof(struct hsm_attr),
	       "CK_ATTRIBUTE layout");
_Static_assert(offsetof(CK_ATTRIBUTE, type) ==
	       offsetof(struct hsm_attr, type), "CK_ATTRIBUTE.type");
_Static_assert(offsetof(CK_ATTRIBUTE, pValue) ==
	       offsetof(struct hsm_attr, value), "CK_ATTRIBUTE.pValue");
_Static_assert(offsetof(CK_ATTRIBUTE, ulValueLen) ==
	       offsetof(struct hsm_attr, len), "CK_ATTRIBUTE.ulValueLen");
_Static_assert(CK_UNAVAILABLE_INFORMATION == HSM_LEN_UNAVAILABLE,
	       "unavailable length marker");

/* A template argument: NULL is only valid for an empty template. */
CK_RV p11_template(CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
		   struct hsm_attr **out)
{
	if (!tmpl && count)
		return CKR_ARGUMENTS_BAD;
	*out = (struct hsm_attr *)tmpl;
	return CKR_OK;
}

/*
 * An object handle argument: kernel handles are __u32 and never 0, so
 * anything else is @invalid (CKR_OBJECT_HANDLE_INVALID or
 * CKR_KEY_HANDLE_INVALID, whichever the function's section names).
 */
CK_RV p11_object(CK_OBJECT_HANDLE h, CK_RV invalid, uint32_t *out)
{
	if (h == CK_INVALID_HANDLE || h > UINT32_MAX)
		return invalid;
	*out = (uint32_t)h;
	return CKR_OK;
}

/*
 * libhsm returned @n __u32 values at the start of @dst, an array with room
 * for @n CK_ULONGs: widen them in place, last first, so no value is
 * overwritten before it is read.
 */
void p11_handles_widen(CK_ULONG *dst, unsigned long n)
{
	unsigned char *base = (unsigned char *)dst;
	uint32_t v;
	CK_ULONG w;

	while (n--) {
		memcpy(&v, base + n * sizeof(v), sizeof(v));
		w = v;
		memcpy(base + n * sizeof(w), &w, sizeof(w));
	}
}
