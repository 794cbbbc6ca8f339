// SPDX-License-Identifier: GPL-2.0
/*
 * The policy attributes the kernel enforces on keys (issue 14):
 *  - CKA_ALLOWED_MECHANISMS: empty means any mechanism; otherwise an
 *    operation with another mechanism fails at init with
 *    CKR_MECHANISM_INVALID. The list is an array of CK_MECHANISM_TYPE
 *    (length query, then value, as bindings read it), may only shrink
 *    (C_SetAttributeValue and C_CopyObject), and malformed lists are
 *    refused with CKR_ATTRIBUTE_VALUE_INVALID.
 *  - the usage attributes of a new key default to what its type can do:
 *    an EC private key signs and derives but does not decrypt or unwrap,
 *    an EC public key only verifies, an Ed25519 key signs/verifies only,
 *    an AES key encrypts, decrypts, signs (MACs), wraps and unwraps; a
 *    template that asks for more still gets it.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "p11_util.h"

FIXTURE(am) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(am)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(am)
{
	P_TEARDOWN(self);
}

static const unsigned char aes_val[16] = "allowed-mechs-k!";

/* A P-256 pair; the private key gets @allowed (@n entries, if any). */
static CK_RV gen_ec(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    const CK_MECHANISM_TYPE *allowed, CK_ULONG n,
		    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pt[] = {
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_ALLOWED_MECHANISMS, (void *)allowed,
		  n * sizeof(CK_MECHANISM_TYPE) },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 1, kt, allowed ? 1 : 0, pub,
				    priv);
}

static CK_RV sign_init(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		       CK_MECHANISM_TYPE type, CK_OBJECT_HANDLE key)
{
	CK_MECHANISM m = { type, NULL, 0 };

	return f->C_SignInit(s, &m, key);
}

/* Read CKA_ALLOWED_MECHANISMS the way bindings do: length, then value. */
static CK_ULONG get_allowed(struct __test_metadata *_metadata,
			    CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			    CK_OBJECT_HANDLE o, CK_MECHANISM_TYPE *out,
			    CK_ULONG cap)
{
	CK_ATTRIBUTE a = { CKA_ALLOWED_MECHANISMS, NULL, 0 };

	EXPECT_EQ(CKR_OK, f->C_GetAttributeValue(s, o, &a, 1));
	EXPECT_EQ(0UL, a.ulValueLen % sizeof(CK_MECHANISM_TYPE));
	if (a.ulValueLen > cap * sizeof(CK_MECHANISM_TYPE))
		return ~0UL;
	a.pValue = out;
	EXPECT_EQ(CKR_OK, f->C_GetAttributeValue(s, o, &a, 1));
	return a.ulValueLen / sizeof(CK_MECHANISM_TYPE);
}

static CK_RV set_allowed(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE o, const CK_MECHANISM_TYPE *l,
			 CK_ULONG n)
{
	CK_ATTRIBUTE a = { CKA_ALLOWED_MECHANISMS, (void *)l, n * sizeof(*l) };

	return f->C_SetAttributeValue(s, o, &a, 1);
}

static CK_BBOOL get_bool(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
	CK_BBOOL v = 0xff;
	CK_ATTRIBUTE a = { t, &v, 1 };

	if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK)
		return 0xff;
	return v;
}

TEST_F(am, empty_by_default_and_any_mechanism_allowed)
{
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM_TYPE l[4];
	CK_BYTE sig[72];
	CK_ULONG sl = sizeof(sig);

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, NULL, 0, &pub, &priv));
	EXPECT_EQ(0UL, get_allowed(_metadata, self->f, self->s, priv, l, 4));
	EXPECT_EQ(0UL, get_allowed(_metadata, self->f, self->s, pub, l, 4));
	ASSERT_EQ(CKR_OK, sign_init(self->f, self->s, CKM_ECDSA_SHA384, priv));
	EXPECT_EQ(CKR_OK, self->f->C_Sign(self->s, (CK_BYTE_PTR)"m", 1, sig, &sl));
}

TEST_F(am, operation_with_another_mechanism_is_refused_at_init)
{
	static const CK_MECHANISM_TYPE allow[] = { CKM_ECDSA_SHA256 };
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM_TYPE l[4];
	CK_BYTE sig[72];
	CK_ULONG sl = sizeof(sig);

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, allow, 1, &pub, &priv));
	ASSERT_EQ(1UL, get_allowed(_metadata, self->f, self->s, priv, l, 4));
	EXPECT_EQ((CK_ULONG)CKM_ECDSA_SHA256, l[0]);
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  sign_init(self->f, self->s, CKM_ECDSA, priv));
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  sign_init(self->f, self->s, CKM_ECDSA_SHA384, priv));
	/* The refusal started nothing: the allowed one runs now. */
	ASSERT_EQ(CKR_OK, sign_init(self->f, self->s, CKM_ECDSA_SHA256, priv));
	EXPECT_EQ(CKR_OK, self->f->C_Sign(self->s, (CK_BYTE_PTR)"m", 1, sig, &sl));
	EXPECT_EQ(64UL, sl);
}

TEST_F(am, secret_key_list_gates_encryption)
{
	static const CK_MECHANISM_TYPE allow[] = { CKM_AES_ECB, CKM_AES_GCM };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE aes = CKK_AES;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &sk, sizeof(sk) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_VALUE, (void *)aes_val, sizeof(aes_val) },
		{ CKA_ALLOWED_MECHANISMS, (void *)allow, sizeof(allow) },
	};
	CK_BYTE iv[16] = { 0 }, in[16] = { 0 }, out[16];
	CK_ULONG ol = sizeof(out);
	CK_MECHANISM cbc = { CKM_AES_CBC, iv, sizeof(iv) };
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	CK_OBJECT_HANDLE k;

	ASSERT_EQ(CKR_OK, self->f->C_CreateObject(self->s, t, 4, &k));
	EXPECT_EQ(CKR_MECHANISM_INVALID, self->f->C_EncryptInit(self->s, &cbc, k));
	EXPECT_EQ(CKR_MECHANISM_INVALID, self->f->C_DecryptInit(self->s, &cbc, k));
	ASSERT_EQ(CKR_OK, self->f->C_EncryptInit(self->s, &ecb, k));
	EXPECT_EQ(CKR_OK, self->f->C_Encrypt(self->s, in, 16, out, &ol));
}

TEST_F(am, list_may_only_shrink)
{
	static const CK_MECHANISM_TYPE two[] = { CKM_ECDSA_SHA256, CKM_ECDSA_SHA384 };
	static const CK_MECHANISM_TYPE one[] = { CKM_ECDSA_SHA384 };
	static const CK_MECHANISM_TYPE other[] = { CKM_ECDSA_SHA384, CKM_ECDSA };
	CK_OBJECT_HANDLE pub, priv, copy;
	CK_MECHANISM_TYPE l[4];
	CK_ATTRIBUTE widen = { CKA_ALLOWED_MECHANISMS, (void *)two, sizeof(two) };

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, two, 2, &pub, &priv));
	/* Same set in another order, then a subset: fine. */
	EXPECT_EQ(CKR_OK, set_allowed(self->f, self->s, priv,
				      (const CK_MECHANISM_TYPE[]){ CKM_ECDSA_SHA384,
								   CKM_ECDSA_SHA256 }, 2));
	EXPECT_EQ(CKR_OK, set_allowed(self->f, self->s, priv, one, 1));
	/* Anything that adds a mechanism, or empties the list, is refused. */
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, set_allowed(self->f, self->s, priv, two, 2));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, set_allowed(self->f, self->s, priv, other, 2));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, set_allowed(self->f, self->s, priv, NULL, 0));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY,
		  self->f->C_CopyObject(self->s, priv, &widen, 1, &copy));
	ASSERT_EQ(1UL, get_allowed(_metadata, self->f, self->s, priv, l, 4));
	EXPECT_EQ((CK_ULONG)CKM_ECDSA_SHA384, l[0]);
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  sign_init(self->f, self->s, CKM_ECDSA_SHA256, priv));
	/* A copy keeps the list. */
	ASSERT_EQ(CKR_OK, self->f->C_CopyObject(self->s, priv, NULL, 0, &copy));
	ASSERT_EQ(1UL, get_allowed(_metadata, self->f, self->s, copy, l, 4));
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  sign_init(self->f, self->s, CKM_ECDSA_SHA256, copy));
	/* An empty list may be narrowed to any list. */
	EXPECT_EQ(CKR_OK, set_allowed(self->f, self->s, pub, one, 1));
}

TEST_F(am, malformed_lists_are_refused)
{
	CK_MECHANISM_TYPE many[65];
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM_TYPE l[4];
	CK_ATTRIBUTE odd = { CKA_ALLOWED_MECHANISMS, many, 12 };
	unsigned int i;

	for (i = 0; i < 65; i++)
		many[i] = CKM_ECDSA_SHA256;
	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, NULL, 0, &pub, &priv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  self->f->C_SetAttributeValue(self->s, priv, &odd, 1));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  set_allowed(self->f, self->s, priv, many, 65));
	EXPECT_EQ(CKR_OK, set_allowed(self->f, self->s, priv, many, 64));
	EXPECT_EQ(64UL, get_allowed(_metadata, self->f, self->s, priv, many, 65));
	EXPECT_EQ(CKR_OK, sign_init(self->f, self->s, CKM_ECDSA_SHA256, priv));
	(void)l;
}

TEST_F(am, usage_defaults_follow_the_key_type)
{
	CK_MECHANISM ed = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
	static const unsigned char ed_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	CK_ATTRIBUTE edt[] = { { CKA_EC_PARAMS, (void *)ed_oid, sizeof(ed_oid) } };
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE ask[] = { { CKA_DECRYPT, &yes, 1 } };
	CK_MECHANISM ecgen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pt[] = {
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
	};
	CK_OBJECT_HANDLE pub, priv, k;

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, NULL, 0, &pub, &priv));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, priv, CKA_SIGN));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, priv, CKA_DERIVE));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, priv, CKA_DECRYPT));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, priv, CKA_UNWRAP));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, pub, CKA_VERIFY));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, pub, CKA_ENCRYPT));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, pub, CKA_WRAP));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, pub, CKA_DERIVE));

	ASSERT_EQ(CKR_OK, self->f->C_GenerateKeyPair(self->s, &ed, edt, 1, NULL, 0,
						     &pub, &priv));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, priv, CKA_SIGN));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, priv, CKA_DERIVE));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, priv, CKA_DECRYPT));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, pub, CKA_VERIFY));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, pub, CKA_ENCRYPT));

	ASSERT_EQ(CKR_OK, p_aes_key(self->f, self->s, aes_val, sizeof(aes_val), &k));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, k, CKA_ENCRYPT));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, k, CKA_DECRYPT));
	/* Key-transport keys are not data keys: wrap/unwrap default off. */
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, k, CKA_WRAP));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, k, CKA_UNWRAP));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, k, CKA_DERIVE));

	/* The template may still ask for more than the type's default. */
	ASSERT_EQ(CKR_OK, self->f->C_GenerateKeyPair(self->s, &ecgen, pt, 1, ask, 1,
						     &pub, &priv));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, priv, CKA_DECRYPT));
}

TEST_HARNESS_MAIN
