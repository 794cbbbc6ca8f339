// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sessions: KHSM_IOC_OPEN_SESSION, CLOSE_SESSION, CLOSE_ALL, SESSION_INFO. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

unsigned long hsm_open_session(const struct hsm_token *tok,
			       unsigned long flags, uint32_t *session)
{
	struct khsm_session s;
	unsigned long rv;

	if (!session || flags > UINT32_MAX)
		return CKR_ARGUMENTS_BAD;
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = (__u32)flags;
	rv = hsmi_ioctl(tok, KHSM_IOC_OPEN_SESSION, &s);
	if (rv == CKR_OK)
		*session = s.session;
	return rv;
}

unsigned long hsm_close_session(const struct hsm_token *tok, uint32_t session)
{
	struct khsm_session s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.session = session;
	return hsmi_ioctl(tok, KHSM_IOC_CLOSE_SESSION, &s);
}

unsigned long hsm_close_all_sessions(const struct hsm_token *tok)
{
	struct khsm_session s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	return hsmi_ioctl(tok, KHSM_IOC_CLOSE_ALL, &s);
}

unsigned long hsm_session_info(const struct hsm_token *tok, uint32_t session,
			       unsigned long *state, unsigned long *flags)
{
	struct khsm_session s;
	unsigned long rv;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.session = session;
	rv = hsmi_ioctl(tok, KHSM_IOC_SESSION_INFO, &s);
	if (rv != CKR_OK)
		return rv;
	if (state)
		*state = s.state;
	if (flags)
		*flags = s.flags;
	return CKR_OK;
}
