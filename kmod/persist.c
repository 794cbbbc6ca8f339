// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed token state (uAPI KHSM_IOC_STATE; the formats and the key
 * hierarchy are described there). The token master key (TMK) is made at
 * C_InitToken and kept here; each PIN record holds a one-way auth value
 * of the PIN's verifier and the TMK wrapped under a KEK derived from the
 * verifier with another label. Token objects are exported as AES-256-GCM
 * blobs (encrypted, or for public objects authenticated only), the header
 * with HMAC-SHA256. A load makes the token LOCKED: public objects are
 * readable at once but unusable, private ones wait sealed, until the
 * first SO or user login unwraps the TMK and authenticates everything.
 *
 * Object blobs are persist_obj.c's. Sealing and opening run under tok->lock (one object's GCM, the
 * header's HMAC): they are short, and the lock orders them with the
 * changes they describe. The one long job, opening every waiting object
 * at the first login after a load, also runs under it, once per load.
 */
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <linux/ctype.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "attr.h"
#include "crypto/sha2.h"
#include "key.h"
#include "mech_aes.h"
#include "object.h"
#include "persist.h"
#include "token_list.h"

static const char * const khsm_role_name[] = { "so", "user" };

/* --- primitives ---------------------------------------------------------- */

/* kvmemdup() came after 6.1. */
void *khsm_kvmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kvmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

/* HKDF-SHA256(@ikm, @salt, @label) into 32 bytes. */
static int khsm_hkdf32(const u8 *ikm, size_t ikm_len, const u8 *salt,
		       size_t salt_len, const char *label, u8 *out)
{
	u8 prk[KC_HASH_MAX_DIGEST];
	int err;

	err = kc_hkdf_extract(KC_SHA256, salt, salt_len, ikm, ikm_len, prk) ?:
	      kc_hkdf_expand(KC_SHA256, prk, 32, label, strlen(label), out,
			     KHSM_KEY_LEN);
	memzero_explicit(prk, sizeof(prk));
	return err ? -EINVAL : 0;
}

static struct crypto_aead *khsm_gcm_alloc(const u8 *key)
{
	struct crypto_aead *tfm = crypto_alloc_aead("gcm(aes)", 0, 0);

	if (IS_ERR(tfm))
		return tfm;
	if (crypto_aead_setkey(tfm, key, KHSM_KEY_LEN) ||
	    crypto_aead_setauthsize(tfm, KHSM_STATE_TAG_LEN)) {
		crypto_free_aead(tfm);
		return ERR_PTR(-EINVAL);
	}
	return tfm;
}

/*
 * AES-GCM over one buffer @buf (kmalloc'd or vmalloc'd): @aad_len bytes
 * of associated data, @text_len bytes en- or decrypted in place, then the
 * tag (written, or checked: -EBADMSG).
 */
int khsm_gcm_buf(struct crypto_aead *tfm, bool enc, const u8 *nonce, u8 *buf,
		 size_t aad_len, size_t text_len)
{
	size_t total = aad_len + text_len + KHSM_STATE_TAG_LEN;
	DECLARE_CRYPTO_WAIT(wait);
	struct aead_request *req;
	struct sg_table t;
	u8 *iv;
	int err;

	iv = kmemdup(nonce, KHSM_STATE_NONCE_LEN, GFP_KERNEL);
	req = aead_request_alloc(tfm, GFP_KERNEL);
	err = iv && req ? khsm_gcm_sg(&t, NULL, 0, buf, total) : -ENOMEM;
	if (err)
		goto out;
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				  &wait);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, t.sgl, t.sgl,
			       text_len + (enc ? 0 : KHSM_STATE_TAG_LEN), iv);
	err = crypto_wait_req(enc ? crypto_aead_encrypt(req) :
				    crypto_aead_decrypt(req), &wait);
	sg_free_table(&t);
out:
	aead_request_free(req);
	kfree(iv);
	return err;
}

static void khsm_tmk_free(struct khsm_tmk *k)
{
	if (!k)
		return;
	if (k->obj)
		crypto_free_aead(k->obj);
	kfree_sensitive(k);
}

/* The keys of TMK @key (consumed: wiped on every path). */
static struct khsm_tmk *khsm_tmk_make(u8 *key)
{
	struct khsm_tmk *k = kzalloc(sizeof(*k), GFP_KERNEL);
	u8 okey[KHSM_KEY_LEN];
	struct crypto_aead *tfm;

	if (!k)
		goto fail;
	memcpy(k->key, key, KHSM_TMK_LEN);
	if (khsm_hkdf32(key, KHSM_TMK_LEN, NULL, 0, "khsm header", k->hdr_key) ||
	    khsm_hkdf32(key, KHSM_TMK_LEN, NULL, 0, "khsm object", okey))
		goto fail;
	tfm = khsm_gcm_alloc(okey);
	memzero_explicit(okey, sizeof(okey));
	if (IS_ERR(tfm))
		goto fail;
	k->obj = tfm;
	memzero_explicit(key, KHSM_TMK_LEN);
	return k;
fail:
	memzero_explicit(key, KHSM_TMK_LEN);
	memzero_explicit(okey, sizeof(okey));
	khsm_tmk_free(k);
	return NULL;
}

/* --- the list of token objects ----------------------------------------- */

/*
 * The entries' part of the header MAC: the XOR over the entries of
 * HMAC-SHA256(header key, "khsm ent" || oid || gen), an XOR-MAC of the
 * set (oids are unique), so a change of the list costs one or two HMACs
 * rather than one over the whole list.
 */
static void khsm_ent_acc(const struct khsm_tmk *k, u64 oid, u64 gen, u8 *acc)
{
	u8 in[8 + 16], out[KHSM_STATE_MAC_LEN];
	unsigned int i;

	memcpy(in, "khsm ent", 8);
	memcpy(in + 8, &oid, 8);
	memcpy(in + 16, &gen, 8);
	if (kc_hmac(KC_SHA256, k->hdr_key, KHSM_KEY_LEN, in, sizeof(in), out))
		return;	/* the MAC will not match: fails closed */
	for (i = 0; i < sizeof(out); i++)
		acc[i] ^= out[i];
	memzero_explicit(out, sizeof(out));
}


void khsm_pent_free_blob(struct khsm_token *tok, struct khsm_pent *p)
{
	if (!p->blob)
		return;
	if (!p->obj)
		tok->n_pending--;
	kvfree(p->blob);
	p->blob = NULL;
	p->blob_len = 0;
}

void khsm_persist_reset(struct khsm_token *tok)
{
	struct khsm_pent *p;
	unsigned long oid;

	xa_for_each(&tok->persisted, oid, p) {
		xa_erase(&tok->persisted, oid);
		khsm_pent_free_blob(tok, p);
		kfree(p);
		cond_resched();
	}
	tok->n_pending = 0;
	khsm_tmk_free(tok->tmk);
	tok->tmk = NULL;
	tok->locked = false;
	tok->refused = 0;
	tok->state_flags = 0;
	kvfree(tok->loaded_hdr);
	tok->loaded_hdr = NULL;
	tok->loaded_hdr_len = 0;
}

unsigned long khsm_persist_new_tmk(struct khsm_token *tok)
{
	u8 key[KHSM_TMK_LEN];
	struct khsm_tmk *k;

	/* The on-disk formats: fixed sizes, no implicit holes. */
	BUILD_BUG_ON(sizeof(struct khsm_state_pin) != 128);
	BUILD_BUG_ON(sizeof(struct khsm_state_hdr) != 408);
	BUILD_BUG_ON(sizeof(struct khsm_state_obj) != 80);
	BUILD_BUG_ON(sizeof(struct khsm_state_ent) != 16);
	get_random_bytes(key, sizeof(key));
	k = khsm_tmk_make(key);
	if (!k)
		return CKR_DEVICE_MEMORY;
	khsm_persist_reset(tok);
	tok->tmk = k;
	tok->gen++;
	return CKR_OK;
}

unsigned long khsm_persist_add(struct khsm_obj *o)
{
	struct khsm_token *tok = o->tok;
	struct khsm_pent *p;

	lockdep_assert_held(&tok->lock);
	if (!tok->tmk)
		return CKR_USER_NOT_LOGGED_IN;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return CKR_HOST_MEMORY;
	o->oid = tok->next_oid;
	if (xa_err(xa_store(&tok->persisted, o->oid, p, GFP_KERNEL_ACCOUNT))) {
		kfree(p);
		o->oid = 0;
		return CKR_HOST_MEMORY;
	}
	tok->next_oid++;
	p->obj = o;
	p->gen = ++tok->gen;	/* listed once its copy is handed out */
	return CKR_OK;
}

void khsm_persist_touch(struct khsm_obj *o)
{
	struct khsm_pent *p;

	lockdep_assert_held(&o->tok->lock);
	p = o->oid ? xa_load(&o->tok->persisted, o->oid) : NULL;
	if (p)
		p->gen = ++o->tok->gen;	/* the header keeps the old copy */
}

void khsm_persist_listed(struct khsm_token *tok, u64 oid, u64 gen)
{
	struct khsm_pent *p;

	mutex_lock(&tok->lock);
	p = oid ? xa_load(&tok->persisted, oid) : NULL;
	if (p && tok->tmk && gen > p->lgen) {
		if (p->lgen)
			khsm_ent_acc(tok->tmk, oid, p->lgen,
				     tok->tmk->ents_acc);
		p->lgen = gen;
		khsm_ent_acc(tok->tmk, oid, gen, tok->tmk->ents_acc);
		tok->gen++;
	}
	mutex_unlock(&tok->lock);
}

void khsm_persist_remove(struct khsm_obj *o)
{
	struct khsm_token *tok = o->tok;
	struct khsm_pent *p;

	lockdep_assert_held(&tok->lock);
	if (!o->oid)
		return;
	p = xa_erase(&tok->persisted, o->oid);
	if (p) {
		if (tok->tmk && p->lgen)
			khsm_ent_acc(tok->tmk, o->oid, p->lgen,
				     tok->tmk->ents_acc);
		khsm_pent_free_blob(tok, p);
		kfree(p);
	}
	tok->gen++;
}

/* --- PIN records --------------------------------------------------------- */

/* The TMK wrap's associated data: "khsm tmk", serial, role. */
static void khsm_tmk_aad(const struct khsm_token *tok, int role, u8 *aad)
{
	memcpy(aad, "khsm tmk", 8);
	memcpy(aad + 8, tok->serial, KHSM_SERIAL_LEN);
	aad[8 + KHSM_SERIAL_LEN] = role;
}

#define KHSM_TMK_AAD_LEN	(8 + KHSM_SERIAL_LEN + 1)

static int khsm_pin_derive(const struct khsm_token *tok, int role,
			   const struct khsm_pin *p, const char *what, u8 *out)
{
	char label[24];

	snprintf(label, sizeof(label), "khsm %s %s", what,
		 khsm_role_name[role]);
	return khsm_hkdf32(p->verifier, sizeof(p->verifier), tok->serial,
			   KHSM_SERIAL_LEN, label, out);
}

/* Wrap (@enc) or unwrap the TMK in record @r with PIN @p's KEK. */
static int khsm_tmk_wrap(const struct khsm_token *tok, int role,
			 struct khsm_state_pin *r, const struct khsm_pin *p,
			 u8 *tmk, bool enc)
{
	const size_t aad_len = KHSM_TMK_AAD_LEN;
	u8 kek[KHSM_KEY_LEN];
	struct crypto_aead *tfm;
	u8 *buf;
	int err;

	err = khsm_pin_derive(tok, role, p, "kek", kek);
	if (err)
		return err;
	tfm = khsm_gcm_alloc(kek);
	memzero_explicit(kek, sizeof(kek));
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	buf = kmalloc(aad_len + KHSM_STATE_WRAPPED_LEN, GFP_KERNEL);
	if (!buf) {
		crypto_free_aead(tfm);
		return -ENOMEM;
	}
	khsm_tmk_aad(tok, role, buf);
	if (enc) {
		get_random_bytes(r->nonce, sizeof(r->nonce));
		memcpy(buf + aad_len, tmk, KHSM_TMK_LEN);
	} else {
		memcpy(buf + aad_len, r->wrapped_tmk, KHSM_STATE_WRAPPED_LEN);
	}
	err = khsm_gcm_buf(tfm, enc, r->nonce, buf, aad_len, KHSM_TMK_LEN);
	if (!err && enc)
		memcpy(r->wrapped_tmk, buf + aad_len, KHSM_STATE_WRAPPED_LEN);
	else if (!err)
		memcpy(tmk, buf + aad_len, KHSM_TMK_LEN);
	kfree_sensitive(buf);
	crypto_free_aead(tfm);
	return err;
}

unsigned long khsm_pin_record_set(struct khsm_token *tok, int role,
				  struct khsm_pin_state *ps,
				  const struct khsm_pin *p)
{
	struct khsm_state_pin r = {};

	lockdep_assert_held(&tok->lock);
	if (!tok->tmk)
		return CKR_USER_NOT_LOGGED_IN;
	memcpy(r.salt, p->salt, sizeof(r.salt));
	r.t_cost = p->t_cost;
	r.m_cost_kib = p->m_cost_kib;
	r.parallelism = p->parallelism;
	r.set = 1;
	if (khsm_pin_derive(tok, role, p, "auth", r.auth) ||
	    khsm_tmk_wrap(tok, role, &r, p, tok->tmk->key, true)) {
		memzero_explicit(&r, sizeof(r));
		return CKR_DEVICE_ERROR;
	}
	ps->rec = r;
	ps->failures = 0;
	memzero_explicit(&r, sizeof(r));
	tok->gen++;
	return CKR_OK;
}

bool khsm_pin_record_match(const struct khsm_token *tok, int role,
			   const struct khsm_pin_state *ps,
			   const struct khsm_pin *p)
{
	u8 auth[KHSM_STATE_AUTH_LEN];
	bool ok;

	if (khsm_pin_derive(tok, role, p, "auth", auth))
		return false;
	ok = !crypto_memneq(auth, ps->rec.auth, sizeof(auth));
	memzero_explicit(auth, sizeof(auth));
	return ok;
}

/* --- the header ---------------------------------------------------------- */

/* HMAC-SHA256 of header @h (its @mac taken as zero), then @acc. */
static int khsm_hdr_mac(const u8 *key, const struct khsm_state_hdr *h,
			const u8 *acc, u8 *mac)
{
	static const u8 zero[KHSM_STATE_MAC_LEN];
	struct kc_hmac_ctx c;

	if (kc_hmac_init(&c, KC_SHA256, key, KHSM_KEY_LEN))
		return -EINVAL;
	kc_hmac_update(&c, (const u8 *)h, offsetof(struct khsm_state_hdr, mac));
	kc_hmac_update(&c, zero, sizeof(zero));
	kc_hmac_update(&c, acc, KHSM_STATE_MAC_LEN);
	kc_hmac_final(&c, mac);
	return 0;
}

static void khsm_hdr_tail(const struct khsm_token *tok,
			  struct khsm_state_hdr *h)
{
	h->gen = tok->gen;
	h->so_failures = tok->so.failures;
	h->user_failures = tok->user.failures;
}

unsigned long khsm_state_export_header(struct khsm_token *tok, u8 **blob,
				       u32 *len, u64 *gen)
{
	struct khsm_state_ent *ents;
	struct khsm_state_hdr *h;
	struct khsm_pent *p;
	unsigned long oid;
	size_t size;
	u32 n = 0;

	mutex_lock(&tok->lock);
	if (!tok->initialized) {
		mutex_unlock(&tok->lock);
		return CKR_TOKEN_NOT_RECOGNIZED;
	}
	if (tok->locked) {
		/* As loaded, with today's generation and counters. */
		h = khsm_kvmemdup(tok->loaded_hdr, tok->loaded_hdr_len, GFP_KERNEL);
		if (!h)
			goto nomem;
		khsm_hdr_tail(tok, h);
		*len = tok->loaded_hdr_len;
		goto done;
	}
	xa_for_each(&tok->persisted, oid, p)
		n += !!p->lgen;
	size = sizeof(*h) + (size_t)n * sizeof(*ents);
	h = kvzalloc(size, GFP_KERNEL);
	if (!h)
		goto nomem;
	ents = (struct khsm_state_ent *)(h + 1);
	n = 0;
	xa_for_each(&tok->persisted, oid, p) {
		if (!p->lgen)
			continue;
		ents[n].oid = oid;
		ents[n].gen = p->lgen;
		n++;
	}
	memcpy(h->magic, KHSM_STATE_HDR_MAGIC, KHSM_STATE_MAGIC_LEN);
	h->version = KHSM_STATE_VERSION;
	h->hdr_size = sizeof(*h);
	memcpy(h->serial, tok->serial, sizeof(h->serial));
	memcpy(h->label, tok->label, sizeof(h->label));
	h->next_oid = tok->next_oid;
	h->init_flags = tok->init_flags;
	h->max_pin_failures = tok->max_pin_failures;
	h->n_entries = n;
	h->so = tok->so.rec;
	h->user = tok->user.rec;
	if (khsm_hdr_mac(tok->tmk->hdr_key, h, tok->tmk->ents_acc, h->mac)) {
		kvfree(h);
		mutex_unlock(&tok->lock);
		return CKR_DEVICE_ERROR;
	}
	khsm_hdr_tail(tok, h);
	*len = size;
done:
	*gen = tok->gen;
	*blob = (u8 *)h;
	mutex_unlock(&tok->lock);
	return CKR_OK;
nomem:
	mutex_unlock(&tok->lock);
	return CKR_HOST_MEMORY;
}

static bool khsm_hex_serial(const u8 *s)
{
	unsigned int i;

	for (i = 0; i < KHSM_SERIAL_LEN; i++)
		if (!isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

static bool khsm_pin_rec_ok(const struct khsm_state_pin *r)
{
	if (r->pad)
		return false;
	if (!r->set)
		return !memchr_inv(r, 0, sizeof(*r));
	return r->set == 1 && r->t_cost >= KHSM_MIN_T_COST &&
	       r->t_cost <= KHSM_MAX_T_COST &&
	       r->m_cost_kib >= KHSM_MIN_M_COST_KIB &&
	       r->m_cost_kib <= KHSM_MAX_M_COST_KIB &&
	       r->parallelism >= KHSM_MIN_PARALLELISM &&
	       r->parallelism <= KHSM_MAX_PARALLELISM;
}

/* The header's own checks: format, bounds, sorted entries. */
static bool khsm_hdr_valid(const struct khsm_state_hdr *h, u32 len)
{
	const struct khsm_state_ent *e = (const void *)(h + 1);
	u32 i;

	if (len < sizeof(*h) ||
	    memcmp(h->magic, KHSM_STATE_HDR_MAGIC, KHSM_STATE_MAGIC_LEN) ||
	    h->version != KHSM_STATE_VERSION || h->hdr_size != sizeof(*h) ||
	    h->n_entries > KHSM_STATE_MAX_ENTRIES ||
	    len != sizeof(*h) + (u64)h->n_entries * sizeof(*e) ||
	    h->reserved0 || h->pad0 || h->reserved[0] ||
	    (h->init_flags & ~KHSM_INIT_TOKEN_F_ALL) ||
	    h->max_pin_failures < KHSM_MIN_PIN_FAILURES ||
	    h->max_pin_failures > KHSM_MAX_PIN_FAILURES_LIMIT ||
	    !khsm_hex_serial(h->serial) || !h->so.set ||
	    !khsm_pin_rec_ok(&h->so) || !khsm_pin_rec_ok(&h->user) ||
	    !h->next_oid)
		return false;
	for (i = 0; i < h->n_entries; i++)
		if (!e[i].oid || e[i].oid >= h->next_oid ||
		    (i && e[i].oid <= e[i - 1].oid))
			return false;
	return true;
}

/*
 * Unwrap the TMK of header @h with @role's PIN @p and check the header's
 * MAC: the TMK's keys, or NULL (wrong PIN for the record, or altered).
 */
static struct khsm_tmk *khsm_hdr_open(struct khsm_token *tok,
				      const struct khsm_state_hdr *h,
				      int role, const struct khsm_pin *p)
{
	const struct khsm_state_ent *e = (const void *)(h + 1);
	struct khsm_state_pin r = role == KHSM_ROLE_SO ? h->so : h->user;
	u8 key[KHSM_TMK_LEN], mac[KHSM_STATE_MAC_LEN];
	struct khsm_tmk *k;
	u32 i;

	if (khsm_tmk_wrap(tok, role, &r, p, key, false))
		return NULL;
	k = khsm_tmk_make(key);
	if (!k)
		return NULL;
	for (i = 0; i < h->n_entries; i++) {
		khsm_ent_acc(k, e[i].oid, e[i].gen, k->ents_acc);
		if (!(i & 1023))
			cond_resched();
	}
	if (khsm_hdr_mac(k->hdr_key, h, k->ents_acc, mac) ||
	    crypto_memneq(mac, h->mac, sizeof(mac))) {
		khsm_tmk_free(k);
		return NULL;
	}
	return k;
}

unsigned long khsm_state_load_header(struct khsm_token *tok, const u8 *blob,
				     u32 len, const struct khsm_pin *so_pin)
{
	const struct khsm_state_hdr *h = (const void *)blob;
	const struct khsm_state_ent *e = (const void *)(h + 1);
	struct khsm_pin_state so_ps = {};
	struct khsm_tmk *k = NULL;
	unsigned long rv = CKR_OK;
	u8 serial[KHSM_SERIAL_LEN];
	struct khsm_pent *p;
	u32 i;

	if (!khsm_hdr_valid(h, len)) {
		pr_warn_ratelimited("%s: sealed header refused: malformed\n",
				    tok->name);
		return CKR_DATA_INVALID;
	}
	mutex_lock(&tok->lock);
	if (tok->n_sessions) {
		rv = CKR_SESSION_EXISTS;
		goto out;
	}
	if (so_pin) {
		/* hsmctl restore: the backup's SO PIN, before any change. */
		memcpy(serial, tok->serial, sizeof(serial));
		memcpy(tok->serial, h->serial, sizeof(tok->serial));
		so_ps.rec = h->so;
		if (!khsm_pin_record_match(tok, KHSM_ROLE_SO, &so_ps, so_pin)) {
			rv = CKR_PIN_INCORRECT;
		} else {
			k = khsm_hdr_open(tok, h, KHSM_ROLE_SO, so_pin);
			if (!k) {
				pr_warn("%s: sealed header refused: it does not authenticate (altered)\n",
					tok->name);
				rv = CKR_DEVICE_ERROR;
			}
		}
		memcpy(tok->serial, serial, sizeof(serial));
		memzero_explicit(&so_ps, sizeof(so_ps));
		if (rv)
			goto out;
	}
	khsm_objects_destroy_all(tok);
	khsm_persist_reset(tok);
	for (i = 0; i < h->n_entries; i++) {
		p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
		if (!p || xa_err(xa_store(&tok->persisted, e[i].oid, p,
					  GFP_KERNEL_ACCOUNT))) {
			kfree(p);
			rv = CKR_HOST_MEMORY;
			break;
		}
		p->gen = e[i].gen;
		p->lgen = e[i].gen;
	}
	if (!rv && !k) {
		tok->loaded_hdr = khsm_kvmemdup(blob, len, GFP_KERNEL_ACCOUNT);
		if (!tok->loaded_hdr)
			rv = CKR_HOST_MEMORY;
		tok->loaded_hdr_len = len;
	}
	if (rv) {
		khsm_tmk_free(k);
		khsm_persist_reset(tok);
		tok->initialized = false;
		goto out;
	}
	memcpy(tok->serial, h->serial, sizeof(tok->serial));
	memcpy(tok->label, h->label, sizeof(tok->label));
	tok->init_flags = h->init_flags;
	tok->max_pin_failures = h->max_pin_failures;
	tok->so.rec = h->so;
	tok->so.failures = min(h->so_failures, h->max_pin_failures);
	tok->user.rec = h->user;
	tok->user.failures = min(h->user_failures, h->max_pin_failures);
	tok->gen = h->gen;
	tok->next_oid = h->next_oid;
	tok->initialized = true;
	tok->state_flags = KHSM_TOKEN_STATE_LOADED;
	tok->tmk = k;
	tok->locked = !k;
	if (tok->locked)
		tok->state_flags |= KHSM_TOKEN_STATE_LOCKED;
	pr_info("%s: sealed state loaded: serial %.16s, %u objects listed, generation %llu%s\n",
		tok->name, tok->serial, h->n_entries, tok->gen,
		k ? " (SO PIN checked)" : ", locked until a login");
out:
	mutex_unlock(&tok->lock);
	if (rv == CKR_OK)
		khsm_token_changed(tok);	/* label, serial: udev */
	return rv;
}

unsigned long khsm_persist_unlock(struct khsm_token *tok, int role,
				  const struct khsm_pin *p)
{
	struct khsm_tmk *k;

	lockdep_assert_held(&tok->lock);
	if (!tok->locked)
		return CKR_OK;
	k = khsm_hdr_open(tok, (const void *)tok->loaded_hdr, role, p);
	if (!k) {
		pr_err("%s: sealed state does not authenticate with the %s PIN that matched: the state directory was altered; restore a backup\n",
		       tok->name, khsm_role_name[role]);
		tok->state_flags |= KHSM_TOKEN_STATE_TAMPERED;
		return CKR_DEVICE_ERROR;
	}
	tok->tmk = k;
	tok->locked = false;
	tok->state_flags &= ~KHSM_TOKEN_STATE_LOCKED;
	kvfree(tok->loaded_hdr);
	tok->loaded_hdr = NULL;
	tok->loaded_hdr_len = 0;
	khsm_state_open_waiting(tok);
	pr_info("%s: sealed state unlocked by the %s: %u objects refused\n",
		tok->name, khsm_role_name[role], tok->refused);
	return CKR_OK;
}
