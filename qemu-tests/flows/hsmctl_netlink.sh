#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khsm-test: root
#
# hsmctl's admin commands over the "khsm" generic netlink family:
#   - list / list --json (parsed by python3): the fields of hsm0, its
#     object count grows when pkcs11-tool makes a token key; show, stats;
#   - token add --group / set-group / remove, each visible in list;
#   - as hsmuser (no capabilities): token add, set-group, remove and
#     monitor fail with "needs root (CAP_SYS_ADMIN)" and exit 4; list
#     works and shows only the tokens of his groups; show of another's
#     token: exit 4; an unknown token: "no token hsm63", exit 5;
#   - monitor --json while pkcs11-tool (as hsmuser) logs in, makes a key
#     and signs: LOGIN, OBJECT_CREATE, KEY_USE with hsmuser's uid,
#     pkcs11-tool's pid and comm; a wrong PIN: LOGIN_FAILED; root's token
#     add and remove: TOKEN_ADD, TOKEN_REMOVE; the human form too;
#   - audit --log --count N, audit verify; a restarted audit continues the
#     chain; verify catches an edited field, a deleted line, two swapped
#     lines, an inserted copy (exit 1, naming the line) and a wrong --head;
#     events lost by a reader that fell behind become a "lost" record.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_require_hsmctl
export HSMCTL W
chmod 755 "$W"
AS_USER=(setpriv --reuid=hsmuser --regid=hsmuser --init-groups)
ASU="${AS_USER[*]}"	# for check's bash -c
export ASU
HSMUSER_UID=$(id -u hsmuser)
export HSMUSER_UID
L=(--login --pin "$USER_PIN")

flow_init_token

# --- list ---------------------------------------------------------------------
step "hsmctl list" "$HSMCTL" list &&
	check "hsm0 listed with its label" 'grep -q "^hsm0 .*$LABEL" <<<"$OUT"'
step "hsmctl list --json" "$HSMCTL" list --json &&
	check "python3 parses it: hsm0, label, group hsm, initialized, 0 objects" '
python3 -c "
import json, sys, grp
t = [x for x in json.loads(sys.argv[1]) if x[\"token\"] == \"hsm0\"][0]
assert t[\"index\"] == 0 and t[\"device\"] == \"/dev/hsm0\", t
assert t[\"label\"] == \"$LABEL\", t
assert t[\"gid\"] == grp.getgrnam(\"hsm\").gr_gid and t[\"group\"] == \"hsm\", t
assert \"initialized\" in t[\"flags\"] and \"user-pin-set\" in t[\"flags\"], t
assert t[\"objects\"] == 0 and t[\"sessions\"] == 0 and t[\"logged_in\"] == 0, t
assert len(t[\"serial\"]) > 0 and t[\"state\"], t
" "$OUT"'
step "EC key pair on hsm0 (two token objects)" \
	"${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 --id 4e01 --label nl1 --usage-sign
step "hsmctl list --json after the key" "$HSMCTL" list --json &&
	check "hsm0 has 2 objects now" '
python3 -c "
import json, sys
t = [x for x in json.loads(sys.argv[1]) if x[\"index\"] == 0][0]
assert t[\"objects\"] == 2, t
" "$OUT"'
step "hsmctl list (human)" "$HSMCTL" list &&
	check "hsm0's line: group hsm(gid), OBJECTS 2 (6th column as in the header)" \
		'set -- $(grep "^hsm0 " <<<"$OUT"); [ "$4" = "hsm($(getent group hsm | cut -d: -f3))" ] && [ "$6" = 2 ] && set -- $(head -n1 <<<"$OUT") && [ "$6" = OBJECTS ]'
step "hsmctl show hsm0" "$HSMCTL" show hsm0 &&
	check "objects: 2, group hsm" 'grep -q "^objects: 2$" <<<"$OUT" && grep -q "^group: hsm (gid" <<<"$OUT"'
step "hsmctl show 0 --json" "$HSMCTL" show 0 --json &&
	check "parses, with stats" '
python3 -c "
import json, sys
t = json.loads(sys.argv[1])
assert t[\"index\"] == 0 and t[\"objects\"] == 2 and \"stats\" in t, t
assert t[\"stats\"][\"pin_failures\"] == 0, t
" "$OUT"'

# --- token add / set-group / remove -------------------------------------------
groupadd -f hsm-nl
step "hsmctl token add --group hsm-nl" "$HSMCTL" token add --group hsm-nl &&
	NEW=$LAST_OUT
NEW=${NEW:-none}
export NEW
check "prints hsmN and /dev/hsmN appears" '[[ "$NEW" =~ ^hsm[0-9]+$ ]] && for i in $(seq 50); do [ -e /dev/$NEW ] && exit 0; sleep 0.1; done; exit 1'
step "list --json shows $NEW in group hsm-nl" "$HSMCTL" list --json &&
	check "$NEW: gid of hsm-nl, not initialised" '
python3 -c "
import json, sys, grp
t = [x for x in json.loads(sys.argv[1]) if x[\"token\"] == \"$NEW\"][0]
assert t[\"gid\"] == grp.getgrnam(\"hsm-nl\").gr_gid and t[\"group\"] == \"hsm-nl\", t
assert \"initialized\" not in t[\"flags\"], t
" "$OUT"'
step "as hsmuser: list works" "${AS_USER[@]}" "$HSMCTL" list --json &&
	check "only hsm0 (his group hsm), not $NEW (hsm-nl)" '
python3 -c "
import json, sys
n = [x[\"token\"] for x in json.loads(sys.argv[1])]
assert \"hsm0\" in n and \"$NEW\" not in n, n
" "$OUT"'
check "as hsmuser: show $NEW: exit 4" \
	'$ASU "$HSMCTL" show $NEW; [ $? = 4 ]'
for c in "token add" "token add --group hsm" "token set-group $NEW hsm" "token remove $NEW" "monitor"; do
	# shellcheck disable=SC2086
	step_fails "as hsmuser: $c refused" "needs root (CAP_SYS_ADMIN)" \
		"${AS_USER[@]}" "$HSMCTL" $c
	# shellcheck disable=SC2086
	check "as hsmuser: $c exits 4" "\$ASU \$HSMCTL $c; [ \$? = 4 ]"
done
step "hsmctl token set-group $NEW hsm (by name)" "$HSMCTL" token set-group "$NEW" hsm
step "as hsmuser: list shows $NEW now" "${AS_USER[@]}" "$HSMCTL" list --json &&
	check "$NEW in his list" '
python3 -c "
import json, sys
assert \"$NEW\" in [x[\"token\"] for x in json.loads(sys.argv[1])]
" "$OUT"'
step "hsmctl token set-group $NEW by gid" "$HSMCTL" token set-group "$NEW" "$(getent group hsm-nl | cut -d: -f3)"
step "hsmctl show $NEW" "$HSMCTL" show "$NEW" &&
	check "group hsm-nl" 'grep -q "^group: hsm-nl " <<<"$OUT"'
step "hsmctl token remove $NEW" "$HSMCTL" token remove "$NEW"
step "list after remove" "$HSMCTL" list &&
	check "$NEW gone" '! grep -q "^$NEW " <<<"$OUT"'
step_fails "show $NEW after remove" "no token $NEW" "$HSMCTL" show "$NEW"
check "exit 5" '"$HSMCTL" show $NEW; [ $? = 5 ]'
step_fails "token remove hsm63" "no token hsm63" "$HSMCTL" token remove hsm63
step_fails "token set-group to an unknown group" "no group" \
	"$HSMCTL" token set-group hsm0 no-such-group-nl
check "usage error: exit 2" '"$HSMCTL" token frob; [ $? = 2 ]'

# --- monitor --------------------------------------------------------------------
mkdir -m 700 "$W/u" && chown hsmuser:hsmuser "$W/u"
head -c 32 /dev/urandom >"$W/u/msg" && chmod 644 "$W/u/msg"
"$HSMCTL" monitor --json >"$W/mon.json" 2>"$W/mon.err" &
MONPID=$!
"$HSMCTL" monitor >"$W/mon.txt" 2>&1 &
MONPID2=$!
sleep 2	# joined the group by then (it needs no device and no PIN)
"${AS_USER[@]}" "${P11T[@]}" "${L[@]}" --keypairgen --key-type EC:prime256v1 \
	--id 4e02 --label nl2 --usage-sign >"$W/p1.out" 2>&1 &
P1=$!
wait $P1
P1RC=$?
"${AS_USER[@]}" "${P11T[@]}" "${L[@]}" --sign -m ECDSA --id 4e02 \
	-i "$W/u/msg" -o "$W/u/sig" >"$W/p2.out" 2>&1 &
P2=$!
wait $P2
P2RC=$?
"${AS_USER[@]}" "${P11T[@]}" --login --pin 000000 -O >"$W/p3.out" 2>&1 &
P3=$!
wait $P3
P3RC=$?
TADD=$("$HSMCTL" token add)
"$HSMCTL" token remove "${TADD:-none}"
sleep 1
kill "$MONPID" "$MONPID2"
wait "$MONPID" "$MONPID2" 2>/dev/null
export P1 P2 P3 P1RC P2RC P3RC TADD
step "pkcs11-tool as hsmuser: keygen (pid $P1), sign (pid $P2), wrong PIN (pid $P3)" \
	bash -c 'cat "$W/p1.out" "$W/p2.out" "$W/p3.out"; [ "$P1RC" = 0 ] && [ "$P2RC" = 0 ] && [ "$P3RC" != 0 ]'
step "the monitor's output" cat "$W/mon.json" "$W/mon.err"
check "every line parses; LOGIN, OBJECT_CREATE, KEY_USE, LOGIN_FAILED with hsmuser's uid, the pids, comm pkcs11-tool" '
python3 - "$W/mon.json" <<"PY"
import json, os, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
uid = int(os.environ["HSMUSER_UID"])
p1, p2, p3 = (int(os.environ[k]) for k in ("P1", "P2", "P3"))
def has(pid, typ, **kw):
    for e in ev:
        if e["type"] == typ and e["pid"] == pid and e["uid"] == uid and \
           e["user"] == "hsmuser" and e["comm"] == "pkcs11-tool" and \
           e["token"] == "hsm0" and all(e.get(k) == v for k, v in kw.items()):
            return e
    sys.exit("no %s from pid %d with %s" % (typ, pid, kw))
has(p1, "LOGIN", user_type="CKU_USER")
has(p1, "OBJECT_CREATE", **{"class": "CKO_PRIVATE_KEY", "id": "4e02"})
has(p1, "OBJECT_CREATE", **{"class": "CKO_PUBLIC_KEY", "id": "4e02"})
has(p2, "LOGIN")
has(p2, "KEY_USE", mechanism="CKM_ECDSA", id="4e02")
has(p3, "LOGIN_FAILED", rv="CKR_PIN_INCORRECT")
add = [e for e in ev if e["type"] == "TOKEN_ADD" and e["token"] == os.environ["TADD"]]
rm = [e for e in ev if e["type"] == "TOKEN_REMOVE" and e["token"] == os.environ["TADD"]]
assert add and rm and add[0]["uid"] == 0 and add[0]["comm"] == "hsmctl", (add, rm)
print(len(ev), "events, all there")
PY'
step "the human monitor's output" cat "$W/mon.txt" &&
	check "one line per event; the wrong PIN in words" \
		'grep -Eq "^[0-9T:.-]+Z LOGIN_FAILED hsm0 uid=$HSMUSER_UID\(hsmuser\) pid=$P3 comm=\"pkcs11-tool\" user=CKU_USER rv=CKR_PIN_INCORRECT$" <<<"$OUT" &&
		 [ "$(wc -l <<<"$OUT")" = "$(wc -l <"$W/mon.json")" ]'

step "hsmctl stats --json" "$HSMCTL" stats --json &&
	check "hsm0: CKM_ECDSA 1 op (the signature; key generation is no operation), 1 PIN failure" '
python3 -c "
import json, sys
s = [x for x in json.loads(sys.argv[1]) if x[\"index\"] == 0][0][\"stats\"]
m = {x[\"mechanism\"]: x for x in s[\"mechanisms\"]}
assert m[\"CKM_ECDSA\"][\"ops\"] == 1 and m[\"CKM_ECDSA\"][\"failures\"] == 0, s
assert s[\"pin_failures\"] == 1 and s[\"pin_lockouts\"] == 0, s
" "$OUT"'
step "as hsmuser: hsmctl stats hsm0" "${AS_USER[@]}" "$HSMCTL" stats hsm0 &&
	check "human lines" 'grep -q "mechanism CKM_ECDSA: 1 ops, 0 failures" <<<"$OUT" && grep -q "pin-failures: 1" <<<"$OUT"'

# --- audit ------------------------------------------------------------------------
LOG=$W/audit.log
export LOG
step_fails "as hsmuser: audit refused" "needs root (CAP_SYS_ADMIN)" \
	"${AS_USER[@]}" "$HSMCTL" audit --log "$W/u/a.log" --count 1
check "and no log file made" '[ ! -e "$W/u/a.log" ]'
# wait_gone PID: up to 120 s for PID to exit; its status, or 124 (killed)
wait_gone() {
	local n=600
	while [ $((n -= 1)) -gt 0 ]; do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return; }
		sleep 0.2
	done
	kill "$1"
	wait "$1"
	return 124
}
"$HSMCTL" audit --log "$LOG" --count 4 >"$W/aud1.out" 2>&1 &
AUD=$!
sleep 2
step "root: key pair 4e03 and a signature (LOGIN, 2 OBJECT_CREATE, LOGIN, KEY_USE)" \
	bash -c "${P11T[*]} ${L[*]} --keypairgen --key-type EC:prime256v1 --id 4e03 --label nl3 --usage-sign &&
		 ${P11T[*]} ${L[*]} --sign -m ECDSA --id 4e03 -i $W/u/msg -o $W/sig3"
wait_gone "$AUD"
AUDRC=$?
export AUDRC
check "audit --count 4 exits 0 by itself" '[ "$AUDRC" = 0 ]' || _show "$(cat "$W/aud1.out")"
step "the log" cat "$LOG"
check "5 records (start + 4 events), each a JSON object, seq 0..4" '
python3 - "$LOG" <<"PY"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["seq"] for x in r] == [0, 1, 2, 3, 4], r
assert r[0]["type"] == "start" and r[0]["resumed"] is False, r[0]
assert [x["type"] for x in r[1:]] == ["LOGIN", "OBJECT_CREATE", "OBJECT_CREATE", "LOGIN"], r
assert r[1]["uid"] == 0 and r[1]["comm"] == "pkcs11-tool", r[1]
PY'
step "hsmctl audit verify" "$HSMCTL" audit verify "$LOG" &&
	HEAD1=$(sed -n 's/^head: //p' <<<"$LAST_OUT")
HEAD1=${HEAD1:-none}
export HEAD1
check "OK, 5 records, a head" '[[ "$HEAD1" =~ ^[0-9a-f]{64}$ ]]'
"$HSMCTL" audit --log "$LOG" --count 1 >"$W/aud2.out" 2>&1 &
AUD=$!
sleep 2
step "root: one login (LOGIN)" "${P11T[@]}" "${L[@]}" -O
wait_gone "$AUD"
AUDRC=$?
check "a restarted audit --count 1 exits 0" '[ "$AUDRC" = 0 ]' 
step "its messages" cat "$W/aud2.out" &&
	check "it verified the log and continued" 'grep -q "verified (5 records), continuing the chain" <<<"$OUT"'
step "audit verify after the restart, --head of before" \
	"$HSMCTL" audit verify "$LOG" --head "$HEAD1" &&
	check "7 records, the kept head is line 5" \
		'grep -q "OK, 7 records" <<<"$OUT" && grep -q "kept head: line 5" <<<"$OUT"'
HEAD2=$(sed -n 's/^head: //p' <<<"$LAST_OUT")
check "line 6 is a resumed start record" \
	'sed -n 6p "$LOG" | python3 -c "import json,sys; r=json.load(sys.stdin); assert r[\"type\"]==\"start\" and r[\"resumed\"] and r[\"seq\"]==5"'
# tamper: a copy per case; each must fail (exit 1) and name the line
sed '3s/"pid":[0-9]*/"pid":1/' "$LOG" >"$W/t.edit"
sed '4d' "$LOG" >"$W/t.del"
awk 'NR == 3 { h = $0; next } NR == 4 { print; print h; next } { print }' "$LOG" >"$W/t.swap"
sed '4p' "$LOG" >"$W/t.ins"
check "the edited copy differs" '! cmp -s "$LOG" "$W/t.edit"'
step_fails "verify: edited field on line 3" "line 3 was edited" "$HSMCTL" audit verify "$W/t.edit"
check "exit 1" '"$HSMCTL" audit verify "$W/t.edit"; [ $? = 1 ]'
step_fails "verify: line 4 deleted" "line 4: seq 4 (expected 3)" "$HSMCTL" audit verify "$W/t.del"
check "exit 1" '"$HSMCTL" audit verify "$W/t.del"; [ $? = 1 ]'
step_fails "verify: lines 3 and 4 swapped" "line 3: seq 3 (expected 2)" "$HSMCTL" audit verify "$W/t.swap"
check "exit 1" '"$HSMCTL" audit verify "$W/t.swap"; [ $? = 1 ]'
step_fails "verify: a copy of line 4 inserted" "line 5: seq 3 again" "$HSMCTL" audit verify "$W/t.ins"
check "exit 1" '"$HSMCTL" audit verify "$W/t.ins"; [ $? = 1 ]'
step_fails "verify --head with a wrong hash" "no record has the head" \
	"$HSMCTL" audit verify "$LOG" --head "$(printf '%064d' 7)"
check "exit 1" '"$HSMCTL" audit verify "$LOG" --head $(printf "%064d" 7); [ $? = 1 ]'
head -n 6 "$LOG" >"$W/t.cut"
step "the last line cut off: the chain alone still verifies" "$HSMCTL" audit verify "$W/t.cut"
step_fails "but not against the kept head" "no record has the head" \
	"$HSMCTL" audit verify "$W/t.cut" --head "$HEAD2"
# lost events: a reader that falls behind (tiny receive buffer, stopped)
HSMCTL_RCVBUF=1 "$HSMCTL" audit --log "$W/lost.log" >"$W/lost.out" 2>&1 &
AUD=$!
sleep 2
kill -STOP "$AUD"
step "root: 6 logins while the audit is stopped" bash -c \
	"for i in 1 2 3 4 5 6; do ${P11T[*]} ${L[*]} -O >/dev/null || exit; done"
kill -CONT "$AUD"
sleep 1
step "root: one more login" "${P11T[@]}" "${L[@]}" -O
sleep 2
kill "$AUD"
wait "$AUD" 2>/dev/null
step "the audit's messages" cat "$W/lost.out" &&
	check "it said events were lost" 'grep -q "events lost (ENOBUFS), recorded as such" <<<"$OUT"'
step "the log of the reader that fell behind" cat "$W/lost.log" &&
	check "a lost record, then events again" '
python3 - "$W/lost.log" <<"PY"
import json, sys
t = [json.loads(l)["type"] for l in open(sys.argv[1])]
assert t[0] == "start" and "lost" in t and t[-1] == "LOGIN", t
PY'
step "and the chain verifies" "$HSMCTL" audit verify "$W/lost.log"

cp "$W/t.edit" "$W/t.append"
step_fails "audit refuses to extend a log that does not verify" "does not verify" \
	"$HSMCTL" audit --log "$W/t.append" --count 1

flow_end
