/* SPDX-License-Identifier: GPL-2.0 */
/* Every "may this file do that" decision of the token core. */
#ifndef KHSM_POLICY_H
#define KHSM_POLICY_H

#include "attr.h"
#include "khsm.h"

unsigned long khsm_session_state(const struct khsm_sess *s);
bool khsm_obj_visible(const struct khsm_file *f, const struct khsm_obj *o);
bool khsm_obj_hides(const struct khsm_obj *o,
		    const struct khsm_attr_desc *d);
unsigned long khsm_may_create(const struct khsm_sess *s, bool token,
			bool private);
unsigned long khsm_may_write(const struct khsm_sess *s,
		       const struct khsm_obj *o);
unsigned long khsm_may_use_key(const struct khsm_obj *o,
			 const struct khsm_mech *m, u32 kind);
unsigned long khsm_op_mech_flag(u32 kind);
unsigned long khsm_may_derive(const struct khsm_obj *o,
			      const struct khsm_mech *m);
struct khsm_keymat;
unsigned long khsm_may_wrap_with(const struct khsm_obj *o,
				 const struct khsm_mech *m, bool unwrap);
unsigned long khsm_may_be_wrapped(const struct khsm_obj *w,
				  const struct khsm_obj *k);
unsigned long khsm_may_wrap_strength(const struct khsm_keymat *w,
				     const struct khsm_keymat *k);
unsigned long khsm_may_trust(const struct khsm_file *f,
			     const struct khsm_attrs *old,
			     const struct khsm_attrs *new);

#endif /* KHSM_POLICY_H */
