// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: object management (PKCS#11 v3.0 base spec 5.7). Templates
 * go to the kernel unchanged (attr.c); it checks every attribute rule.
 */
#include <stdlib.h>

#include "internal.h"

/* C_CreateObject (5.7.1). */
CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
		     CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)
{
	struct hsm_attr *tmpl = NULL;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t obj = 0;

	if (rv == CKR_OK && !phObject)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulCount, &tmpl);
	if (rv == CKR_OK)
		rv = hsm_create_object(c.tok, c.session, tmpl, ulCount, &obj);
	if (rv == CKR_OK)
		*phObject = obj;
	return p11_leave(&c, __func__, rv);
}

/* C_CopyObject (5.7.2). */
CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
		   CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
		   CK_OBJECT_HANDLE_PTR phNewObject)
{
	struct hsm_attr *tmpl = NULL;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t obj = 0, copy = 0;

	if (rv == CKR_OK && !phNewObject)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulCount, &tmpl);
	if (rv == CKR_OK)
		rv = p11_object(hObject, CKR_OBJECT_HANDLE_INVALID, &obj);
	if (rv == CKR_OK)
		rv = hsm_copy_object(c.tok, c.session, obj, tmpl, ulCount,
				     &copy);
	if (rv == CKR_OK)
		*phNewObject = copy;
	return p11_leave(&c, __func__, rv);
}

/* C_DestroyObject (5.7.3). */
CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t obj = 0;

	if (rv == CKR_OK)
		rv = p11_object(hObject, CKR_OBJECT_HANDLE_INVALID, &obj);
	if (rv == CKR_OK)
		rv = hsm_destroy_object(c.tok, c.session, obj);
	return p11_leave(&c, __func__, rv);
}

/*
 * C_GetObjectSize (5.7.4). The kernel keeps no size figure, so after it
 * has confirmed the handle (a length query of CKA_CLASS, which every
 * object has and which is never sensitive) the answer is
 * CK_UNAVAILABLE_INFORMATION, as the spec allows.
 */
CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
		      CK_ULONG_PTR pulSize)
{
	struct hsm_attr probe = { .type = CKA_CLASS };
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t obj = 0;

	if (rv == CKR_OK && !pulSize)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_object(hObject, CKR_OBJECT_HANDLE_INVALID, &obj);
	if (rv == CKR_OK)
		rv = hsm_get_attrs(c.tok, c.session, obj, &probe, 1);
	if (rv == CKR_OK)
		*pulSize = CK_UNAVAILABLE_INFORMATION;
	return p11_leave(&c, __func__, rv);
}

/*
 * C_GetAttributeValue (5.7.5). The kernel fills every attribute it can,
 * sets ulValueLen to CK_UNAVAILABLE_INFORMATION for the ones it may not or
 * cannot return, and returns CKR_ATTRIBUTE_SENSITIVE /
 * CKR_ATTRIBUTE_TYPE_INVALID / CKR_BUFFER_TOO_SMALL as the spec orders; we
 * return that rv unchanged. One translation: for a buffer that is too
 * small the uAPI reports the length needed, where 5.7.5 wants
 * CK_UNAVAILABLE_INFORMATION; the caller's capacities are kept to tell.
 */
CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession,
			  CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct hsm_attr *tmpl = NULL;
	CK_ULONG caps_buf[16], *caps = caps_buf, i;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t obj = 0;

	if (rv == CKR_OK && !pTemplate)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulCount, &tmpl);
	if (rv == CKR_OK)
		rv = p11_object(hObject, CKR_OBJECT_HANDLE_INVALID, &obj);
	if (rv == CKR_OK && ulCount > sizeof(caps_buf) / sizeof(caps_buf[0])) {
		caps = calloc(ulCount, sizeof(*caps));
		if (!caps)
			rv = CKR_HOST_MEMORY;
	}
	if (rv != CKR_OK)
		goto out;
	for (i = 0; i < ulCount; i++)
		caps[i] = pTemplate[i].ulValueLen;
	rv = hsm_get_attrs(c.tok, c.session, obj, tmpl, ulCount);
	for (i = 0; i < ulCount; i++)
		if (pTemplate[i].pValue &&
		    pTemplate[i].ulValueLen != CK_UNAVAILABLE_INFORMATION &&
		    pTemplate[i].ulValueLen > caps[i])
			pTemplate[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
out:
	if (caps != caps_buf)
		free(caps);
	return p11_leave(&c, __func__, rv);
}

/* C_SetAttributeValue (5.7.6). */
CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession,
			  CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct hsm_attr *tmpl = NULL;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t obj = 0;

	if (rv == CKR_OK && !pTemplate)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulCount, &tmpl);
	if (rv == CKR_OK)
		rv = p11_object(hObject, CKR_OBJECT_HANDLE_INVALID, &obj);
	if (rv == CKR_OK)
		rv = hsm_set_attrs(c.tok, c.session, obj, tmpl, ulCount);
	return p11_leave(&c, __func__, rv);
}

/* C_FindObjectsInit (5.7.7). An empty template matches every object. */
CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession,
			CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct hsm_attr *tmpl = NULL;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulCount, &tmpl);
	if (rv == CKR_OK)
		rv = hsm_find_init(c.tok, c.session, tmpl, ulCount);
	return p11_leave(&c, __func__, rv);
}

/*
 * C_FindObjects (5.7.8). libhsm writes __u32 handles into the caller's
 * array, which we widen in place to CK_OBJECT_HANDLE.
 */
CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	unsigned long got = 0;

	if (rv == CKR_OK && (!phObject || !pulObjectCount))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_find(c.tok, c.session, (uint32_t *)phObject,
			      ulMaxObjectCount, &got);
	if (rv == CKR_OK) {
		p11_handles_widen(phObject, got);
		*pulObjectCount = got;
	}
	return p11_leave(&c, __func__, rv);
}

/* C_FindObjectsFinal (5.7.9). */
CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK)
		rv = hsm_find_final(c.tok, c.session);
	return p11_leave(&c, __func__, rv);
}
