#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No key material and no PIN in the state files (issue 15, tests (d)): an
# extractable, non-sensitive AES-256 token key is generated and its
# CKA_VALUE read; then every state file (header, object files) and an
# `hsmctl backup` file are searched for the 32 key bytes (and either
# 16-byte half), for the user and SO PINs, before and after a PIN change.
# The state directory is private to this test.
# khsm-test: root
# khsm-test: timeout 600
. "$(dirname "$0")/../persist/persist.inc"
persist_require
persist_private_state

# search DESC FILE-OF-BYTES: no state file (nor the backup) holds the bytes
search() {
	local desc=$1 pat=$2
	hsmctl backup hsm0 "$W/backup.bin" >/dev/null 2>&1
	check "$desc" "python3 - $pat $(state_files | paste -sd' ') $([ -s "$W/backup.bin" ] && echo "$W/backup.bin") <<'EOF'
import sys
pat = open(sys.argv[1], 'rb').read()
hits = [f for f in sys.argv[2:] if pat in open(f, 'rb').read()]
for f in hits:
    print('found in', f)
print(len(sys.argv) - 2, 'files searched for', len(pat), 'bytes')
sys.exit(1 if hits or len(sys.argv) < 4 else 0)
EOF"
}

flow_init_token
step "extractable, non-sensitive AES-256 token key" \
	"${P11T[@]}" "${L[@]}" --keygen --key-type AES:32 --id 0b01 --label secret \
	--extractable --usage-decrypt
step "read its CKA_VALUE" "${P11T[@]}" "${L[@]}" --read-object --type secrkey --id 0b01 -o value.bin &&
	check "CKA_VALUE is 32 bytes, not all zero" \
		"[ \$(stat -c %s value.bin) = 32 ] && [ -n \"\$(tr -d '\\0' <value.bin)\" ]"
head -c 16 value.bin >half1.bin
tail -c 16 value.bin >half2.bin
printf %s "$USER_PIN" >user.pin
printf %s "$SO_PIN" >so.pin
step "state files: a header and object files" bash -c "ls -laR $STATE; [ -n \"\$(find -L $STATE -name '*.obj')\" ]"
search "no state file holds the key's 32 bytes" value.bin
search "no state file holds the key's first 16 bytes" half1.bin
search "no state file holds the key's last 16 bytes" half2.bin
search "no state file holds the user PIN" user.pin
search "no state file holds the SO PIN" so.pin
step "change the user PIN" "${P11T[@]}" "${L[@]}" --change-pin --new-pin 97531975
printf %s 97531975 >new.pin
search "after C_SetPIN: no state file holds the new user PIN" new.pin
search "after C_SetPIN: no state file holds the key's 32 bytes" value.bin
flow_end
