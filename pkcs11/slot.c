// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: slot and token management (PKCS#11 v3.0 base spec 5.5).
 * Slot ID N is /dev/hsmN; see internal.h for the slot table rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void p11_pad(CK_UTF8CHAR *dst, size_t dst_len, const char *src)
{
	size_t n = strlen(src);

	if (n > dst_len)
		n = dst_len;
	memset(dst, ' ', dst_len);
	memcpy(dst, src, n);
}

struct p11_slot *p11_slot_find(CK_SLOT_ID id)
{
	unsigned int n = __atomic_load_n(&p11.nslots, __ATOMIC_ACQUIRE);
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p11.slots[i].id == id)
			return &p11.slots[i];
	return NULL;
}

/*
 * Add the hsmN nodes present now to the table. Entries are only appended
 * (readers walk the table without a lock), so a vanished device keeps its
 * slot and its calls fail with libhsm's answer.
 */
CK_RV p11_slots_refresh(void)
{
	unsigned int *ids = NULL;
	unsigned int count = 0, i, n;
	CK_RV rv;

	pthread_mutex_lock(&p11.open_lock);
	rv = hsm_token_list(NULL, &count);
	if (rv != CKR_OK || count == 0)
		goto out;
	ids = calloc(count, sizeof(*ids));
	if (!ids) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = hsm_token_list(ids, &count);
	if (rv != CKR_OK)
		goto out;
	n = p11.nslots;
	for (i = 0; i < count; i++) {
		if (p11_slot_find(ids[i]))
			continue;
		if (n == P11_MAX_SLOTS) {
			p11_logf("slot table full (%d): /dev/hsm%u not listed",
				 P11_MAX_SLOTS, ids[i]);
			continue;
		}
		memset(&p11.slots[n], 0, sizeof(p11.slots[n]));
		p11.slots[n].id = ids[i];
		__atomic_store_n(&p11.nslots, ++n, __ATOMIC_RELEASE);
	}
out:
	pthread_mutex_unlock(&p11.open_lock);
	free(ids);
	if (rv != CKR_OK)
		p11_logf("listing token devices failed: %s (errno %d)",
			 p11_rv_name(rv), hsm_last_errno());
	return rv;
}

CK_RV p11_slot_open(struct p11_slot *slot, struct hsm_token **tok)
{
	CK_RV rv = CKR_OK;

	*tok = __atomic_load_n(&slot->tok, __ATOMIC_ACQUIRE);
	if (*tok)
		return CKR_OK;
	pthread_mutex_lock(&p11.open_lock);
	*tok = slot->tok;
	if (!*tok) {
		rv = hsm_open(slot->id, tok);
		if (rv == CKR_OK)
			__atomic_store_n(&slot->tok, *tok, __ATOMIC_RELEASE);
		else
			p11_logf("opening /dev/hsm%u failed: %s (errno %d)",
				 slot->id, p11_rv_name(rv), hsm_last_errno());
	}
	pthread_mutex_unlock(&p11.open_lock);
	return rv;
}

bool p11_slot_present(const struct p11_slot *slot)
{
	return hsm_token_present(slot->id) == 1;
}

/* Called with `life` held for writing (or alone in a forked child). */
void p11_slots_drop(void)
{
	unsigned int i;

	for (i = 0; i < p11.nslots; i++) {
		if (p11.slots[i].tok)
			hsm_close(p11.slots[i].tok);
		p11.slots[i].tok = NULL;
	}
	__atomic_store_n(&p11.nslots, 0, __ATOMIC_RELEASE);
}

static int id_cmp(const void *a, const void *b)
{
	CK_SLOT_ID x = *(const CK_SLOT_ID *)a, y = *(const CK_SLOT_ID *)b;

	return x < y ? -1 : x > y;
}

/*
 * C_GetSlotList (5.5.1), ascending slot IDs. The device list is re-read
 * when the caller asks for the count (pSlotList NULL), so the count stays
 * valid for the second call (unless a token goes in between: then fewer).
 * A slot stays in the table once seen; its token is present while its
 * /dev/hsmN exists, and tokenPresent TRUE lists only those.
 */
CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
		    CK_ULONG_PTR pulCount)
{
	CK_SLOT_ID ids[P11_MAX_SLOTS];
	struct p11_call c;
	CK_RV rv = p11_enter(&c);
	unsigned int i, n, k = 0;

	if (rv != CKR_OK)
		goto out;
	if (!pulCount) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!pSlotList) {
		rv = p11_slots_refresh();
		if (rv != CKR_OK)
			goto out;
	}
	n = __atomic_load_n(&p11.nslots, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++)
		if (!tokenPresent || p11_slot_present(&p11.slots[i]))
			ids[k++] = p11.slots[i].id;
	qsort(ids, k, sizeof(ids[0]), id_cmp);
	if (pSlotList && *pulCount < k)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (pSlotList)
		memcpy(pSlotList, ids, k * sizeof(ids[0]));
	*pulCount = k;
out:
	return p11_leave(&c, __func__, rv);
}

/*
 * C_GetSlotInfo (5.5.2). CKF_REMOVABLE_DEVICE always (5.5.2: a slot
 * without it must always have its token present, and tokens can be
 * removed at run time); CKF_TOKEN_PRESENT while /dev/hsmN exists.
 */
CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct p11_call c;
	CK_RV rv = p11_enter_slot(&c, slotID);
	char desc[64];

	if (rv == CKR_OK && !pInfo)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		memset(pInfo, 0, sizeof(*pInfo));
		snprintf(desc, sizeof(desc), "khsm kernel token /dev/hsm%u",
			 c.slot->id);
		p11_pad(pInfo->slotDescription,
			sizeof(pInfo->slotDescription), desc);
		p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
			P11_MANUFACTURER);
		/* Tokens come and go at run time (hsmctl token add|remove). */
		pInfo->flags = CKF_HW_SLOT | CKF_REMOVABLE_DEVICE;
		if (p11_slot_present(c.slot))
			pInfo->flags |= CKF_TOKEN_PRESENT;
		pInfo->hardwareVersion.major = P11_LIB_MAJOR;
		pInfo->hardwareVersion.minor = P11_LIB_MINOR;
		pInfo->firmwareVersion.major = P11_LIB_MAJOR;
		pInfo->firmwareVersion.minor = P11_LIB_MINOR;
	}
	return p11_leave(&c, __func__, rv);
}

/*
 * C_GetTokenInfo (5.5.3) from KHSM_IOC_TOKEN_INFO. Session counts are the
 * kernel's figures for the token (all applications); memory figures are
 * not tracked (CK_UNAVAILABLE_INFORMATION); there is no clock.
 */
CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct khsm_token_info ti;
	struct p11_call c;
	CK_RV rv = p11_enter_slot(&c, slotID);

	if (rv == CKR_OK && !pInfo)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_slot_open(c.slot, &c.tok);
	if (rv == CKR_OK) {
		memset(&ti, 0, sizeof(ti));
		rv = hsm_token_info(c.tok, &ti, sizeof(ti));
	}
	if (rv != CKR_OK)
		goto out;
	_Static_assert(sizeof(pInfo->label) == sizeof(ti.label), "label");
	_Static_assert(sizeof(pInfo->manufacturerID) ==
		       sizeof(ti.manufacturer), "manufacturer");
	_Static_assert(sizeof(pInfo->model) == sizeof(ti.model), "model");
	_Static_assert(sizeof(pInfo->serialNumber) == sizeof(ti.serial),
		       "serial");
	memset(pInfo, 0, sizeof(*pInfo));
	memcpy(pInfo->label, ti.label, sizeof(ti.label));
	memcpy(pInfo->manufacturerID, ti.manufacturer,
	       sizeof(ti.manufacturer));
	memcpy(pInfo->model, ti.model, sizeof(ti.model));
	memcpy(pInfo->serialNumber, ti.serial, sizeof(ti.serial));
	pInfo->flags = ti.flags;
	pInfo->ulMaxSessionCount = ti.max_sessions;
	pInfo->ulSessionCount = ti.sessions;
	pInfo->ulMaxRwSessionCount = ti.max_rw_sessions;
	pInfo->ulRwSessionCount = ti.rw_sessions;
	pInfo->ulMaxPinLen = ti.max_pin_len;
	pInfo->ulMinPinLen = ti.min_pin_len;
	pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->hardwareVersion.major = ti.hw_version[0];
	pInfo->hardwareVersion.minor = ti.hw_version[1];
	pInfo->firmwareVersion.major = ti.fw_version[0];
	pInfo->firmwareVersion.minor = ti.fw_version[1];
	memset(pInfo->utcTime, ' ', sizeof(pInfo->utcTime));
out:
	return p11_leave(&c, __func__, rv);
}

/*
 * C_GetMechanismList (5.5.5): the kernel's list, with the length protocol.
 * libhsm fills __u32 values into the caller's array, which we widen in
 * place to CK_MECHANISM_TYPE.
 */
CK_RV C_GetMechanismList(CK_SLOT_ID slotID,
			 CK_MECHANISM_TYPE_PTR pMechanismList,
			 CK_ULONG_PTR pulCount)
{
	struct p11_call c;
	CK_RV rv = p11_enter_token(&c, slotID);

	if (rv == CKR_OK && !pulCount)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_mech_list(c.tok, (uint32_t *)pMechanismList,
				   pulCount);
	if (rv == CKR_OK && pMechanismList)
		p11_handles_widen(pMechanismList, *pulCount);
	return p11_leave(&c, __func__, rv);
}

/* C_GetMechanismInfo (5.5.6). */
CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,
			 CK_MECHANISM_INFO_PTR pInfo)
{
	struct hsm_mech_info mi = { 0 };
	struct p11_call c;
	CK_RV rv = p11_enter_token(&c, slotID);

	if (rv == CKR_OK && !pInfo)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_mech_info(c.tok, type, &mi);
	if (rv == CKR_OK) {
		pInfo->ulMinKeySize = mi.min_key_size;
		pInfo->ulMaxKeySize = mi.max_key_size;
		pInfo->flags = mi.flags;
	}
	return p11_leave(&c, __func__, rv);
}

/*
 * C_InitToken (5.5.7). No protected authentication path, so the SO PIN
 * is required; pLabel is the 32-byte blank-padded label.
 */
CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
		  CK_UTF8CHAR_PTR pLabel)
{
	struct p11_call c;
	CK_RV rv = p11_enter_token(&c, slotID);

	if (rv == CKR_OK && (!pPin || !pLabel))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_init_token(c.tok, pPin, ulPinLen, pLabel);
	return p11_leave(&c, __func__, rv);
}

/* C_InitPIN (5.5.8): the SO sets the user PIN. */
CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin,
		CK_ULONG ulPinLen)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK && !pPin)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_init_pin(c.tok, c.session, pPin, ulPinLen);
	return p11_leave(&c, __func__, rv);
}

/* C_SetPIN (5.5.9): the PIN of whoever is logged in (user if nobody). */
CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin,
	       CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK && (!pOldPin || !pNewPin))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_set_pin(c.tok, c.session, pOldPin, ulOldLen,
				 pNewPin, ulNewLen);
	return p11_leave(&c, __func__, rv);
}
