// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: what every cryptographic function of PKCS#11 v3.0 base spec
 * 5.8 (encrypt), 5.10 (decrypt), 5.12 (digest), 5.13 (sign) and 5.15
 * (verify) has in common. The operation lives in the kernel, one per kind
 * per session; the kernel applies the length protocol (5.2) and keeps the
 * operation active after a length answer or CKR_BUFFER_TOO_SMALL.
 */
#include "internal.h"

/*
 * C_EncryptInit, C_DecryptInit, C_DigestInit, C_SignInit, C_VerifyInit.
 * @key is ignored for KHSM_OP_DIGEST.
 */
CK_RV p11_op_init(CK_SESSION_HANDLE h, unsigned int op,
		  CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		  const char *fn)
{
	struct hsm_mechanism m;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, h);
	uint32_t k = 0;

	if (rv != CKR_OK)
		goto out;
	if (!mech) {
		rv = hsm_op_cancel(c.tok, c.session, op);
		goto out;
	}
	if (op != KHSM_OP_DIGEST) {
		rv = p11_object(key, CKR_KEY_HANDLE_INVALID, &k);
		if (rv != CKR_OK)
			goto out;
	}
	m = p11_mech(mech);
	rv = hsm_op_init(c.tok, c.session, op, &m, k);
out:
	return p11_leave(&c, fn, rv);
}

/*
 * A call that the spec says ends the operation on error must end it for
 * our own argument errors too, as the kernel does for its errors.
 */
static CK_RV abort_op(struct p11_call *c, unsigned int op, CK_RV rv)
{
	hsm_op_cancel(c->tok, c->session, op);
	return rv;
}

/*
 * C_Encrypt/EncryptUpdate/EncryptFinal, the Decrypt, Digest and Sign
 * counterparts and C_VerifyUpdate: input @in/@in_len, output with the
 * length protocol in @out/@out_len.
 */
CK_RV p11_op_data(CK_SESSION_HANDLE h, unsigned int op, unsigned int step,
		  CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		  CK_ULONG_PTR out_len, const char *fn)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, h);
	bool no_output = step == KHSM_DATA_UPDATE &&
			 (op == KHSM_OP_DIGEST || op == KHSM_OP_SIGN ||
			  op == KHSM_OP_VERIFY);

	if (rv != CKR_OK)
		goto out;
	if ((!in && in_len) || (!no_output && !out_len)) {
		rv = abort_op(&c, op, CKR_ARGUMENTS_BAD);
		goto out;
	}
	rv = hsm_op_data(c.tok, c.session, op, step, in, in_len,
			 no_output ? NULL : out, no_output ? NULL : out_len);
out:
	return p11_leave(&c, fn, rv);
}

/* C_Verify and C_VerifyFinal: the signature is an input. */
CK_RV p11_op_verify(CK_SESSION_HANDLE h, unsigned int step, CK_BYTE_PTR in,
		    CK_ULONG in_len, CK_BYTE_PTR sig, CK_ULONG sig_len,
		    const char *fn)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, h);

	if (rv != CKR_OK)
		goto out;
	if ((!in && in_len) || !sig) {
		rv = abort_op(&c, KHSM_OP_VERIFY, CKR_ARGUMENTS_BAD);
		goto out;
	}
	rv = hsm_op_verify(c.tok, c.session, step, in, in_len, sig, sig_len);
out:
	return p11_leave(&c, fn, rv);
}

CK_RV p11_unsupported(CK_SESSION_HANDLE h, const char *fn)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, h);

	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	return p11_leave(&c, fn, rv);
}
