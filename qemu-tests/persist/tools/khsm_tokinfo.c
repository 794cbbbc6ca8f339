// SPDX-License-Identifier: GPL-2.0
/*
 * Print a token's KHSM_IOC_TOKEN_INFO (VER1) as one "key=value" per line,
 * for the persistence scenarios' shell checks:
 *   serial label flags (CKF_* token flags, hex) max_pin_failures
 *   so_failures user_failures state_flags (hex) locked tampered loaded
 *   state_gen refused pending
 * Usage: khsm_tokinfo [DEVICE]   (default $KHSM_DEV, else /dev/hsm0)
 * Exit 1 (with the reason on stderr) if the ioctl fails or the kernel
 * answers without the VER1 fields (no KHSM_FEATURE_STATE).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/khsm.h>

static void trimmed(const char *key, const __u8 *p, size_t len)
{
	while (len && (p[len - 1] == ' ' || !p[len - 1]))
		len--;
	printf("%s=%.*s\n", key, (int)len, (const char *)p);
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : getenv("KHSM_DEV");
	struct khsm_token_info ti;
	struct khsm_version v;
	int fd;

	if (!dev || !*dev)
		dev = "/dev/hsm0";
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "khsm_tokinfo: open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	if (ioctl(fd, KHSM_IOC_VERSION, &v) || !(v.features & KHSM_FEATURE_STATE)) {
		fprintf(stderr, "khsm_tokinfo: %s: the kernel has no KHSM_FEATURE_STATE "
			"(sealed token state)\n", dev);
		return 1;
	}
	memset(&ti, 0, sizeof(ti));
	ti.size = sizeof(ti);
	if (ioctl(fd, KHSM_IOC_TOKEN_INFO, &ti)) {
		fprintf(stderr, "khsm_tokinfo: TOKEN_INFO (size %zu) on %s: %s\n",
			sizeof(ti), dev, strerror(errno));
		return 1;
	}
	if (ti.rv) {
		fprintf(stderr, "khsm_tokinfo: TOKEN_INFO: rv 0x%x\n", ti.rv);
		return 1;
	}
	trimmed("serial", ti.serial, sizeof(ti.serial));
	trimmed("label", ti.label, sizeof(ti.label));
	printf("flags=0x%llx\n", (unsigned long long)ti.flags);
	printf("max_pin_failures=%u\nso_failures=%u\nuser_failures=%u\n",
	       ti.max_pin_failures, ti.so_failures, ti.user_failures);
	printf("state_flags=0x%x\n", ti.state_flags);
	printf("locked=%d\ntampered=%d\nloaded=%d\n",
	       !!(ti.state_flags & KHSM_TOKEN_STATE_LOCKED),
	       !!(ti.state_flags & KHSM_TOKEN_STATE_TAMPERED),
	       !!(ti.state_flags & KHSM_TOKEN_STATE_LOADED));
	printf("state_gen=%llu\nrefused=%u\npending=%u\n",
	       (unsigned long long)ti.state_gen, ti.refused, ti.pending);
	close(fd);
	return 0;
}
