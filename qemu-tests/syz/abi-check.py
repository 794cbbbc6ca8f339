#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Keep the machine-readable descriptions of the khsm uAPI in step with the
header kmod/uapi/linux/khsm.h (TAP output, exit 1 on a mismatch):

  - the ioctls: every KHSM_IOC_* number of the header has one row in the
    kernel's dispatch table (kmod/ioctl.c), one ioctl$ line in the
    syzkaller description (qemu-tests/syz/khsm.txt) and one row in the
    fuzzer's table (qemu-tests/uapi/fuzz_root_test.c), all three naming
    the same struct, and nothing else;
  - the structs: every struct of the header is in the syzkaller
    description with the same fields in the same order at the same
    offsets and sizes (the header's layout is taken from the C compiler,
    the description's is computed from its syzkaller types);
  - the generic netlink family: every op of the kernel's genl_ops table
    (kmod/netlink.c) has one sendmsg$ line in qemu-tests/syz/
    khsm_netlink.txt, whose request policy has the kernel's nla_policy
    attributes with the kernel's types; the YAML spec
    (kmod/uapi/netlink/khsm.yaml) lists the header's attributes and
    commands in order, and marks admin-perm exactly the kernel's
    GENL_ADMIN_PERM ops.

No syzkaller tooling is needed (Debian bookworm has none): this parses
the subset of the syzkaller language khsm.txt uses.

Usage: abi-check.py [TOP]   (default: the repository this file is in)
"""
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), "..", ".."))
HDR = os.path.join(TOP, "kmod/uapi/linux/khsm.h")
SYZ = os.path.join(TOP, "qemu-tests/syz/khsm.txt")
KIOCTL = os.path.join(TOP, "kmod/ioctl.c")
FUZZ = os.path.join(TOP, "qemu-tests/uapi/fuzz_root_test.c")
SYZ_NL = os.path.join(TOP, "qemu-tests/syz/khsm_netlink.txt")
KNL = os.path.join(TOP, "kmod/netlink.c")
YAML = os.path.join(TOP, "kmod/uapi/netlink/khsm.yaml")

n = 0
failed = 0


def ok(cond, msg, why=()):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok %d - " if cond else "not ok %d - ") % n + msg)
    for w in why if not cond else ():
        print("#   " + w)


def read(p):
    with open(p) as f:
        return f.read()


def strip_c_comments(s):
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r"//[^\n]*", " ", s)


# ---- the header -------------------------------------------------------------
hdr = strip_c_comments(read(HDR))
hdr_iocs = {m.group(1): int(m.group(2), 0) for m in re.finditer(
    r"#define\s+KHSM_IOC_(\w+)\s+_IO\(KHSM_IOC_MAGIC,\s*(0x[0-9a-fA-F]+|\d+)\)", hdr)}
nr_max = re.search(r"#define\s+KHSM_IOC_NR_MAX\s+(0x[0-9a-fA-F]+|\d+)", hdr)
nr_max = int(nr_max.group(1), 0) if nr_max else -1
hdr_structs = {}
for m in re.finditer(r"struct\s+(khsm_\w+)\s*\{(.*?)\};", hdr, re.S):
    fields = []
    for fm in re.finditer(r"(?:__u8|__u16|__u32|__u64|struct\s+\w+)\s+(\w+)\s*(?:\[[^\]]+\])?\s*;",
                          m.group(2)):
        fields.append(fm.group(1))
    hdr_structs[m.group(1)] = fields
consts = {m.group(1): int(m.group(2), 0) for m in re.finditer(
    r"#define\s+(KHSM_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", hdr)}

# Offsets and sizes as the C compiler lays them out.
prog = ["#include <stddef.h>", "#include <stdio.h>", '#include "linux/khsm.h"',
        "int main(void) {"]
for s, fields in hdr_structs.items():
    prog.append('printf("%s - 0 %%zu\\n", sizeof(struct %s));' % (s, s))
    for f in fields:
        prog.append('printf("%s %s %%zu %%zu\\n", offsetof(struct %s, %s), '
                    'sizeof(((struct %s *)0)->%s));' % (s, f, s, f, s, f))
prog.append("return 0; }")
c_layout = {}
with tempfile.TemporaryDirectory() as d:
    src, exe = os.path.join(d, "l.c"), os.path.join(d, "l")
    with open(src, "w") as f:
        f.write("\n".join(prog) + "\n")
    cc = os.environ.get("CC", "cc")
    r = subprocess.run([cc, "-I", os.path.join(TOP, "kmod/uapi"), "-o", exe, src],
                       capture_output=True, text=True)
    if r.returncode:
        ok(False, "compile the header's layout probe", r.stderr.splitlines()[:10])
        print("1..%d" % n)
        sys.exit(1)
    for line in subprocess.run([exe], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        s, f, off, size = line.split()
        c_layout[(s, f)] = (int(off), int(size))

# ---- the syzkaller description --------------------------------------------
syz = read(SYZ)
syz_lines = [l.split("#", 1)[0].rstrip() for l in syz.splitlines()]
syz_iocs = {}
for l in syz_lines:
    m = re.match(r"ioctl\$KHSM_IOC_(\w+)\(fd fd_khsm, cmd const\[KHSM_IOC_(\w+)\], "
                 r"arg ptr\[(?:in|out|inout), (\w+)\]\)$", l)
    if m:
        if m.group(1) != m.group(2):
            ok(False, "syz: ioctl$KHSM_IOC_%s uses cmd KHSM_IOC_%s" % (m.group(1), m.group(2)))
        syz_iocs[m.group(1)] = m.group(3)
syz_structs = {}
resources = {}
cur = None
for l in syz_lines:
    m = re.match(r"resource\s+(\w+)\[(\w+)\]", l)
    if m:
        resources[m.group(1)] = m.group(2)
        continue
    m = re.match(r"^(\w+)\s*\{$", l)
    if m:
        cur = m.group(1)
        syz_structs[cur] = []
        continue
    if cur and re.match(r"^\}", l):
        cur = None
        continue
    if cur and l.strip():
        name, typ = l.split(None, 1)
        syz_structs[cur].append((name, typ.strip()))

INTS = {"int8": 1, "int16": 2, "int32": 4, "int64": 8, "intptr": 8, "fd": 4}


def split_args(s):
    """'a, b[c, d], e' -> ['a', 'b[c, d]', 'e']"""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def syz_size(t):
    """(size, alignment) of a syzkaller type as khsm.txt uses them."""
    m = re.match(r"^(\w+)(?:\[(.*)\])?$", t)
    if not m:
        raise ValueError("cannot parse type '%s'" % t)
    base, args = m.group(1), split_args(m.group(2) or "")
    if base in INTS:
        return INTS[base], INTS[base]
    if base in resources:
        return syz_size(resources[base])
    if base in ("const", "flags", "len", "bytesize"):
        return syz_size(args[1]) if len(args) > 1 else (8, 8)
    if base in ("ptr", "ptr64"):
        return 8, 8
    if base == "array":
        if len(args) < 2:
            raise ValueError("variable-length array '%s' inside a struct" % t)
        cnt = consts.get(args[1])
        cnt = int(args[1], 0) if cnt is None else cnt
        es, ea = syz_size(args[0])
        return es * cnt, ea
    if base in syz_structs:
        return syz_layout(base)[0]
    raise ValueError("unknown type '%s'" % t)


def syz_layout(s):
    """((size, align), {field: (offset, size)}) with C's natural alignment."""
    off, align, fl = 0, 1, {}
    for name, typ in syz_structs[s]:
        size, a = syz_size(typ)
        off = (off + a - 1) // a * a
        fl[name] = (off, size)
        off += size
        align = max(align, a)
    return ((off + align - 1) // align * align, align), fl


# ---- the kernel's dispatch table and the fuzzer's table -------------------
kio = strip_c_comments(read(KIOCTL))
# KHSM_IOC(NAME, handler, VER, stype) and KHSM_IOC_U(NAME, handler, undo,
# VER, stype): the struct is the last argument.
k_iocs = {m.group(1): "khsm_" + m.group(2) for m in re.finditer(
    r"KHSM_IOC(?:_U)?\(([A-Z_0-9]+),(?:\s*\w+,){2,3}\s*(\w+)\)", kio)}
fz = strip_c_comments(read(FUZZ))
fz_iocs = {m.group(1): "khsm_" + m.group(2) for m in re.finditer(
    r"FZ_IOC(?:_PIN)?\(([A-Z_0-9]+),\s*(\w+),", fz) if m.group(1) != "NAME"}

# ---- checks -----------------------------------------------------------------
names = sorted(hdr_iocs, key=lambda k: hdr_iocs[k])
ok(sorted(hdr_iocs.values()) == list(range(nr_max + 1)),
   "header: KHSM_IOC_* numbers are 0..KHSM_IOC_NR_MAX (%d), each once" % nr_max,
   ["numbers: %s" % sorted(hdr_iocs.values())])
for what, table in (("kmod/ioctl.c dispatch table", k_iocs),
                    ("syzkaller description", syz_iocs),
                    ("fuzzer table (fuzz_root_test.c)", fz_iocs)):
    missing = [x for x in names if x not in table]
    extra = [x for x in table if x not in hdr_iocs]
    ok(not missing and not extra, "%s: one entry per ioctl of the header (%d)" %
       (what, len(names)),
       (["missing: " + ", ".join(missing)] if missing else []) +
       (["not in the header: " + ", ".join(extra)] if extra else []))
bad = ["KHSM_IOC_%s: kernel %s, syz %s, fuzzer %s" % (x, k_iocs.get(x), syz_iocs.get(x),
                                                    fz_iocs.get(x))
       for x in names if not (k_iocs.get(x) == syz_iocs.get(x) == fz_iocs.get(x))]
ok(not bad, "each ioctl takes the same struct in the kernel, syz and fuzzer tables", bad)

for s in sorted(hdr_structs):
    why = []
    if s not in syz_structs:
        ok(False, "syz: struct %s described" % s, ["missing in khsm.txt"])
        continue
    sf = [f for f, _ in syz_structs[s]]
    if sf != hdr_structs[s]:
        why.append("header fields: " + " ".join(hdr_structs[s]))
        why.append("syz fields:    " + " ".join(sf))
    try:
        (size, _), layout = syz_layout(s)
        if size != c_layout[(s, "-")][1]:
            why.append("size: header %d, syz %d" % (c_layout[(s, "-")][1], size))
        for f in hdr_structs[s]:
            if f in layout and layout[f] != c_layout[(s, f)]:
                why.append("%s: header offset/size %s, syz %s" % (f, c_layout[(s, f)],
                                                                  layout[f]))
    except (ValueError, KeyError) as e:
        why.append(str(e))
    ok(not why, "syz: struct %s has the header's fields, offsets and size (%d bytes)" %
       (s, c_layout[(s, "-")][1]), why)
extra = [s for s in syz_structs if s.startswith("khsm_") and s not in hdr_structs
         and s != "khsm_attr"]
ok(not extra, "syz: no khsm_ struct that the header does not have", extra)

# ---- the generic netlink family --------------------------------------------
# The commands and attributes of the header, the kernel's genl_ops table and
# request policy (kmod/netlink.c), the syzkaller description
# (khsm_netlink.txt) and the YAML spec (kmod/uapi/netlink/khsm.yaml, whose
# names are the header's in lower case with '-', prefix dropped).


def c_enum(body_re):
    m = re.search(body_re, hdr, re.S)
    if not m:
        return []
    return [x.strip().split("=")[0].strip() for x in m.group(1).split(",")
            if x.strip() and not x.strip().startswith("__")]


def kebab(name, prefix):
    return name[len(prefix):].lower().replace("_", "-")


hdr_cmds = c_enum(r"enum khsm_nl_cmd \{(.*?)\};")
hdr_attrs = c_enum(r"enum khsm_nl_attr \{(.*?)\};")
hdr_mech_attrs = c_enum(r"enum khsm_nl_mech_attr \{(.*?)\};")
ok(hdr_cmds[:1] == ["KHSM_CMD_UNSPEC"] and hdr_attrs[:2] == ["KHSM_A_UNSPEC", "KHSM_A_PAD"],
   "header: the netlink enums start with UNSPEC (and PAD)", [str(hdr_cmds[:1]), str(hdr_attrs[:2])])
knl = strip_c_comments(read(KNL))
k_ops = re.findall(r"\.cmd\s*=\s*(KHSM_CMD_\w+)", knl)
pol = re.search(r"khsm_nl_policy\[KHSM_A_MAX \+ 1\]\s*=\s*\{(.*?)\};", knl, re.S)
k_pol = {}
for m in re.finditer(r"\[(KHSM_A_\w+)\]\s*=\s*(.*?),\s*(?=\[|$)", pol.group(1) if pol else "", re.S):
    t = re.search(r"NLA_(U8|U16|U32|U64|BINARY|NUL_STRING|STRING|NESTED)", m.group(2))
    k_pol[m.group(1)] = t.group(1) if t else "?"
ok(bool(k_ops) and bool(k_pol), "kmod/netlink.c: genl_ops and policy found (%d ops, %d attributes)"
   % (len(k_ops), len(k_pol)))
ok(len(k_ops) == len(set(k_ops)) and set(k_ops) <= set(hdr_cmds),
   "kmod/netlink.c: each op once, each a command of the header", k_ops)

snl = [l.split("#", 1)[0].rstrip() for l in read(SYZ_NL).splitlines()]
s_ops = [m.group(1) for l in snl for m in [re.match(r"sendmsg\$(KHSM_CMD_\w+)\(.*msghdr_khsm\[(\w+)\]", l)]
         if m and m.group(1) == m.group(2)]
s_bad = [l for l in snl if l.startswith("sendmsg$") and not re.match(
    r"sendmsg\$(KHSM_CMD_\w+)\(.*msghdr_khsm\[\1\]", l)]
ok(sorted(s_ops) == sorted(k_ops) and not s_bad,
   "syz: one sendmsg$ per command of the kernel's genl_ops (%d), each with its own cmd" % len(k_ops),
   ["kernel: " + " ".join(sorted(k_ops)), "syz:    " + " ".join(sorted(s_ops))] + s_bad)
SYZ_NLA = {"int8": "U8", "int16": "U16", "int32": "U32", "int64": "U64", "gid": "U32",
           "uid": "U32", "pid": "U32"}
s_pol = {}
for l in snl:
    m = re.match(r"\s+(KHSM_A_\w+)\s+nlattr\[(KHSM_A_\w+),\s*(\w+)", l)
    if m:
        s_pol[m.group(1)] = SYZ_NLA.get(m.group(3), m.group(3)) if m.group(1) == m.group(2) else "name!"
ok(s_pol == k_pol, "syz: the request policy has the kernel's attributes with the kernel's types (%d)"
   % len(k_pol), ["kernel: %s" % sorted(k_pol.items()), "syz:    %s" % sorted(s_pol.items())])

yml = read(YAML)
y_sets = {}
for m in re.finditer(r"^  -\n    name: ([\w-]+)\n(?:    .*\n)*?    attributes:\n((?:      - .*\n)+)", yml, re.M):
    y_sets[m.group(1)] = [re.search(r"name: ([\w-]+)", a).group(1)
                          for a in m.group(2).splitlines()]
y_ops = re.findall(r"^      name: ([\w-]+)$", yml.split("operations:", 1)[-1], re.M)
for setname, enum, prefix in (("khsm-a", hdr_attrs, "KHSM_A_"),
                              ("khsm-a-mech", hdr_mech_attrs, "KHSM_A_MECH_")):
    want = [kebab(a, prefix) for a in enum]
    ok(y_sets.get(setname) == want, "yaml: attribute-set %s lists the header's enum in order (%d)"
       % (setname, len(want)), ["header: " + " ".join(want),
                                "yaml:   " + " ".join(y_sets.get(setname, []))])
want = [kebab(c, "KHSM_CMD_") for c in hdr_cmds[1:]]
ok(y_ops == want, "yaml: operations are the header's commands in order (%d)" % len(want),
   ["header: " + " ".join(want), "yaml:   " + " ".join(y_ops)])
y_admin = re.findall(r"name: ([\w-]+)\n(?:      (?!name:).*\n)*?      flags: \[admin-perm\]", yml)
k_admin = re.findall(r"\.cmd\s*=\s*(KHSM_CMD_\w+),[^}]*?GENL_ADMIN_PERM", knl, re.S)
ok(sorted(y_admin) == sorted(kebab(c, "KHSM_CMD_") for c in k_admin),
   "yaml: admin-perm on exactly the kernel's GENL_ADMIN_PERM ops (%d)" % len(k_admin),
   ["kernel: %s" % sorted(k_admin), "yaml:   %s" % sorted(y_admin)])

print("1..%d" % n)
sys.exit(1 if failed else 0)
