// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed token objects (uAPI KHSM_IOC_STATE): a token object's attribute
 * list as an AES-256-GCM blob under the TMK's object key (encrypted for
 * private objects and every private or secret key, authenticated only
 * for the rest), its checks at load, and its way back into the store,
 * at once or at the first login after a load (persist.c unlocks).
 */
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "attr.h"
#include "key.h"
#include "object.h"
#include "persist.h"

static const char * const khsm_state_why[] = {
	[KHSM_STATE_OK] = "ok",
	[KHSM_STATE_MALFORMED] = "malformed (bad magic, version, flags or length)",
	[KHSM_STATE_OTHER_TOKEN] = "it belongs to another token (serial)",
	[KHSM_STATE_NOT_LISTED] = "the header does not list it (destroyed, or a stale file)",
	[KHSM_STATE_WRONG_GEN] = "the header lists another generation (an older or newer copy)",
	[KHSM_STATE_WRONG_OID] = "it holds another object than its name says",
	[KHSM_STATE_DUPLICATE] = "that object is loaded already",
	[KHSM_STATE_BAD_TAG] = "authentication failed (altered)",
	[KHSM_STATE_BAD_BODY] = "its attributes are invalid",
	[KHSM_STATE_MISSING] = "listed in the header but never loaded",
};

static void khsm_state_refuse(struct khsm_token *tok, u64 oid, u32 why)
{
	tok->refused++;
	tok->state_flags |= KHSM_TOKEN_STATE_TAMPERED;
	pr_warn_ratelimited("%s: sealed object %016llx refused: %s\n", tok->name, oid,
		khsm_state_why[why]);
}


static bool khsm_obj_encrypted(const struct khsm_obj *o)
{
	return o->private || (o->class != CKO_PUBLIC_KEY &&
			      o->class != CKO_CERTIFICATE &&
			      o->class != CKO_DATA);
}

static u32 khsm_body_len(const struct khsm_attrs *a)
{
	u32 i, n = 0;

	for (i = 0; i < a->n; i++)
		n += 8 + a->a[i].len;
	return n;
}

/*
 * The sealed blob of token object @o (under tok->lock, TMK present):
 * *@blob (kvmalloc'd, KHSM_STATE_TAG_LEN spare bytes at the end) of *@len.
 */
static unsigned long khsm_obj_seal(struct khsm_token *tok,
				   const struct khsm_obj *o, u64 gen,
				   u8 **blob, u32 *len)
{
	u32 body = khsm_body_len(&o->attrs), i, off;
	struct khsm_state_obj *so;
	bool enc = khsm_obj_encrypted(o);
	size_t size = sizeof(*so) + body;
	u8 *buf, *b;
	int err;

	if (body > KHSM_STATE_MAX_BODY)
		return CKR_DEVICE_ERROR;
	buf = kvzalloc(size + KHSM_STATE_TAG_LEN, GFP_KERNEL);
	if (!buf)
		return CKR_HOST_MEMORY;
	so = (struct khsm_state_obj *)buf;
	memcpy(so->magic, KHSM_STATE_OBJ_MAGIC, KHSM_STATE_MAGIC_LEN);
	so->version = KHSM_STATE_VERSION;
	so->flags = enc ? KHSM_STATE_OBJ_F_ENCRYPTED : 0;
	memcpy(so->serial, tok->serial, sizeof(so->serial));
	so->oid = o->oid;
	so->gen = gen;
	so->body_len = body;
	get_random_bytes(so->nonce, sizeof(so->nonce));
	b = buf + sizeof(*so);
	for (i = 0, off = 0; i < o->attrs.n; i++) {
		const struct khsm_oattr *a = &o->attrs.a[i];

		memcpy(b + off, &a->type, 4);
		memcpy(b + off + 4, &a->len, 4);
		if (a->len)
			memcpy(b + off + 8, a->val, a->len);
		off += 8 + a->len;
	}
	err = khsm_gcm_buf(tok->tmk->obj, true, so->nonce, buf,
			   enc ? sizeof(*so) : size, enc ? body : 0);
	if (err) {
		kvfree_sensitive(buf, size + KHSM_STATE_TAG_LEN);
		return CKR_DEVICE_ERROR;
	}
	memcpy(so->tag, buf + size, KHSM_STATE_TAG_LEN);
	memset(buf + size, 0, KHSM_STATE_TAG_LEN);
	*blob = buf;
	*len = size;
	return CKR_OK;
}

/*
 * Authenticate (and decrypt) blob @blob of @len bytes with the TMK: the
 * plaintext body in a kvmalloc'd *@body, or KHSM_STATE_BAD_TAG.
 */
static u32 khsm_obj_open(struct khsm_token *tok, const u8 *blob, u32 len,
			 u8 **body)
{
	const struct khsm_state_obj *in = (const void *)blob;
	bool enc = in->flags & KHSM_STATE_OBJ_F_ENCRYPTED;
	struct khsm_state_obj *so;
	u32 blen = in->body_len;
	u8 *buf;

	buf = kvmalloc(len + KHSM_STATE_TAG_LEN, GFP_KERNEL);
	if (!buf)
		return KHSM_STATE_BAD_TAG;
	memcpy(buf, blob, len);
	so = (struct khsm_state_obj *)buf;
	memcpy(buf + len, so->tag, KHSM_STATE_TAG_LEN);
	memset(so->tag, 0, sizeof(so->tag));
	if (khsm_gcm_buf(tok->tmk->obj, false, in->nonce, buf,
			 enc ? sizeof(*so) : len, enc ? blen : 0)) {
		kvfree_sensitive(buf, len + KHSM_STATE_TAG_LEN);
		return KHSM_STATE_BAD_TAG;
	}
	memmove(buf, buf + sizeof(*so), blen);
	memset(buf + blen, 0, len + KHSM_STATE_TAG_LEN - blen);
	*body = buf;
	return KHSM_STATE_OK;
}

/*
 * Attribute records @b (@len bytes) to a list: every type known for the
 * object's class and key type, at most once, with a valid value; a
 * token object. KHSM_STATE_BAD_BODY otherwise.
 */
static u32 khsm_body_parse(const u8 *b, u32 len, struct khsm_attrs *s,
			   bool want_public)
{
	unsigned long class = ~0UL, key_type = KHSM_KEY_NONE;
	const struct khsm_attr_desc *d;
	struct khsm_tattr ta;
	u32 off, pass;
	u64 v;

	if (khsm_attrs_alloc(s))
		return KHSM_STATE_BAD_BODY;
	for (pass = 0; pass < 2; pass++) {
		for (off = 0; off < len; off += 8 + ta.len) {
			if (len - off < 8)
				goto bad;
			memcpy(&ta.type, b + off, 4);
			memcpy(&ta.len, b + off + 4, 4);
			if (ta.len > len - off - 8 || ta.len > KHSM_MAX_ATTR_LEN)
				goto bad;
			ta.val = b + off + 8;
			if (pass == 0) {
				if ((ta.type == CKA_CLASS ||
				     ta.type == CKA_KEY_TYPE) && ta.len == 8) {
					memcpy(&v, ta.val, 8);
					if (ta.type == CKA_CLASS)
						class = v;
					else
						key_type = v;
				}
				continue;
			}
			d = khsm_attr_desc(ta.type, class, key_type);
			if (!d || khsm_attrs_get(s, ta.type) ||
			    khsm_attr_check_value(d, &ta) != CKR_OK ||
			    khsm_attrs_put(s, ta.type, ta.val, ta.len))
				goto bad;
		}
		if (pass == 0 && !khsm_class_bit(class))
			goto bad;
	}
	if (!khsm_attrs_bool(s, CKA_TOKEN))
		goto bad;
	if (want_public && (khsm_attrs_bool(s, CKA_PRIVATE) ||
			    (class != CKO_PUBLIC_KEY &&
			     class != CKO_CERTIFICATE && class != CKO_DATA)))
		goto bad;
	return KHSM_STATE_OK;
bad:
	khsm_attrs_free(s);
	return KHSM_STATE_BAD_BODY;
}

/* Parse @body and put the object in the store, listed as @p. */
static u32 khsm_obj_restore(struct khsm_token *tok, struct khsm_pent *p,
			    u64 oid, const u8 *body, u32 blen, bool unverified)
{
	struct khsm_attrs attrs = {};
	struct khsm_obj *o;
	u32 st;

	st = khsm_body_parse(body, blen, &attrs, unverified);
	if (st)
		return st;
	o = khsm_object_restore(tok, &attrs, oid);
	if (IS_ERR(o))
		return KHSM_STATE_BAD_BODY;
	o->unverified = unverified;
	p->obj = o;
	return KHSM_STATE_OK;
}

static u32 khsm_blob_check(struct khsm_token *tok, const u8 *blob, u32 len,
			   u64 expect, struct khsm_pent **pp)
{
	const struct khsm_state_obj *so = (const void *)blob;
	struct khsm_pent *p;

	if (len < sizeof(*so) ||
	    memcmp(so->magic, KHSM_STATE_OBJ_MAGIC, KHSM_STATE_MAGIC_LEN) ||
	    so->version != KHSM_STATE_VERSION ||
	    (so->flags & ~KHSM_STATE_OBJ_F_ALL) ||
	    so->body_len != len - sizeof(*so) ||
	    so->body_len > KHSM_STATE_MAX_BODY)
		return KHSM_STATE_MALFORMED;
	if (memcmp(so->serial, tok->serial, KHSM_SERIAL_LEN))
		return KHSM_STATE_OTHER_TOKEN;
	if (expect && expect != so->oid)
		return KHSM_STATE_WRONG_OID;
	p = xa_load(&tok->persisted, so->oid);
	if (!p)
		return KHSM_STATE_NOT_LISTED;
	if (p->gen != so->gen)
		return KHSM_STATE_WRONG_GEN;
	if (p->obj || p->blob)
		return KHSM_STATE_DUPLICATE;
	*pp = p;
	return KHSM_STATE_OK;
}

unsigned long khsm_state_load_object(struct khsm_token *tok, const u8 *blob,
				     u32 len, u64 expect_oid, u32 *status)
{
	const struct khsm_state_obj *so = (const void *)blob;
	struct khsm_pent *p = NULL;
	u8 *body = NULL;
	u32 st;

	mutex_lock(&tok->lock);
	if (!tok->initialized || !(tok->state_flags & KHSM_TOKEN_STATE_LOADED)) {
		mutex_unlock(&tok->lock);
		return CKR_OPERATION_NOT_INITIALIZED;
	}
	st = khsm_blob_check(tok, blob, len, expect_oid, &p);
	if (st)
		goto out;
	if (tok->tmk) {
		st = khsm_obj_open(tok, blob, len, &body);
		if (!st) {
			st = khsm_obj_restore(tok, p, so->oid, body,
					      so->body_len, false);
			kvfree_sensitive(body, len + KHSM_STATE_TAG_LEN);
		}
	} else if (so->flags & KHSM_STATE_OBJ_F_ENCRYPTED) {
		p->blob = khsm_kvmemdup(blob, len, GFP_KERNEL_ACCOUNT);
		if (!p->blob) {
			mutex_unlock(&tok->lock);
			return CKR_HOST_MEMORY;
		}
		p->blob_len = len;
		tok->n_pending++;
	} else {
		p->blob = khsm_kvmemdup(blob, len, GFP_KERNEL_ACCOUNT);
		if (!p->blob) {
			mutex_unlock(&tok->lock);
			return CKR_HOST_MEMORY;
		}
		p->blob_len = len;
		st = khsm_obj_restore(tok, p, so->oid, blob + sizeof(*so),
				      so->body_len, true);
		if (st) {
			kvfree(p->blob);
			p->blob = NULL;
			p->blob_len = 0;
		}
	}
out:
	if (st)
		khsm_state_refuse(tok, len >= sizeof(*so) ? so->oid : 0, st);
	*status = st;
	mutex_unlock(&tok->lock);
	return CKR_OK;
}

unsigned long khsm_state_load_finish(struct khsm_token *tok, u64 *missing)
{
	struct khsm_pent *p;
	unsigned long oid;
	u64 n = 0;

	mutex_lock(&tok->lock);
	xa_for_each(&tok->persisted, oid, p) {
		if (p->obj || p->blob)
			continue;
		if (n++ < 32)
			pr_warn("%s: sealed object %016lx %s\n", tok->name, oid,
				khsm_state_why[KHSM_STATE_MISSING]);
	}
	if (n) {
		tok->state_flags |= KHSM_TOKEN_STATE_TAMPERED;
		pr_warn("%s: %llu listed objects missing\n", tok->name, n);
	}
	mutex_unlock(&tok->lock);
	*missing = n;
	return CKR_OK;
}

/* First login after a load: open what waited, authenticate the rest. */
void khsm_state_open_waiting(struct khsm_token *tok)
{
	struct khsm_pent *p;
	unsigned long oid;
	u8 *blob, *body;
	u32 st, len;
	bool opened;

	xa_for_each(&tok->persisted, oid, p) {
		if (!p->blob)
			continue;
		blob = p->blob;
		len = p->blob_len;
		p->blob = NULL;
		p->blob_len = 0;
		if (!p->obj)
			tok->n_pending--;
		st = khsm_obj_open(tok, blob, len, &body);
		opened = !st;
		if (p->obj) {
			if (st) {
				khsm_object_drop(p->obj);
				p->obj = NULL;
			} else {
				p->obj->unverified = false;
			}
		} else if (!st) {
			st = khsm_obj_restore(tok, p, oid, body,
				((const struct khsm_state_obj *)blob)->body_len,
				false);
		}
		if (opened)
			kvfree_sensitive(body, len + KHSM_STATE_TAG_LEN);
		kvfree(blob);
		if (st)
			khsm_state_refuse(tok, oid, st);
		cond_resched();
	}
}

/* --- export of objects --------------------------------------------------- */

unsigned long khsm_state_export_object(struct khsm_file *f, u32 handle,
				       bool id_only, u8 **blob, u32 *len,
				       u64 *oid, u64 *gen)
{
	struct khsm_token *tok = f->tok;
	struct khsm_pent *p;
	struct khsm_obj *o;
	unsigned long rv = CKR_OK;

	*blob = NULL;
	*len = 0;
	*oid = 0;
	*gen = 0;
	mutex_lock(&tok->lock);
	o = khsm_object_lookup(f, handle);
	if (!o) {
		rv = CKR_OBJECT_HANDLE_INVALID;
		goto out;
	}
	p = o->oid ? xa_load(&tok->persisted, o->oid) : NULL;
	if (!p)
		goto out;		/* a session object: nothing to keep */
	*oid = o->oid;
	*gen = p->gen;
	if (id_only)
		goto out;
	if (p->blob) {
		*blob = khsm_kvmemdup(p->blob, p->blob_len, GFP_KERNEL);
		*len = p->blob_len;
		rv = *blob ? CKR_OK : CKR_HOST_MEMORY;
	} else if (!tok->tmk) {
		rv = CKR_USER_NOT_LOGGED_IN;
	} else {
		rv = khsm_obj_seal(tok, o, p->gen, blob, len);
	}
out:
	mutex_unlock(&tok->lock);
	return rv;
}

unsigned long khsm_state_export_next(struct khsm_token *tok, u64 *oid,
				     u8 **blob, u32 *len, u64 *gen)
{
	unsigned long idx = *oid;
	struct khsm_pent *p;
	unsigned long rv = CKR_OBJECT_HANDLE_INVALID;

	*blob = NULL;
	*len = 0;
	mutex_lock(&tok->lock);
	xa_for_each_start(&tok->persisted, idx, p, idx) {
		if (p->blob) {
			*blob = khsm_kvmemdup(p->blob, p->blob_len, GFP_KERNEL);
			*len = p->blob_len;
			rv = *blob ? CKR_OK : CKR_HOST_MEMORY;
		} else if (p->obj && tok->tmk) {
			rv = khsm_obj_seal(tok, p->obj, p->gen, blob, len);
		} else {
			continue;	/* missing: nothing to give */
		}
		*oid = idx;
		*gen = p->gen;
		break;
	}
	mutex_unlock(&tok->lock);
	return rv;
}
