#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The man pages against the code (TAP). Fails when a page lies or misses:

- groff (-t -man -ww -z) and man --warnings (as lintian runs it) print
  nothing for kmod/khsm.4, pkcs11/khsm-pkcs11.7, libhsm-dev/hsmctl/hsmctl.8;
  lexgrog finds each page's NAME line; .TH names the file's name/section;
- khsm.4 names every module parameter of kmod/ (module_param*), under
  "Module parameters" with the code's type, its default where the code
  initialises it (macros resolved), and "writable" exactly when the
  permission lets root write it; and no parameter the code lacks;
- khsm.4 names every KHSM_IOC_* of the uAPI header, and no other, with a
  row per ioctl number in its table, whose CKR_* results exist; its errno
  list is khsm_ckr_errno() of kmod/ioctl.c;
- the limits and defaults the pages state (NUMBERS below) are the code's
  #defines;
- khsm-pkcs11.7's ENVIRONMENT names every environment variable that the
  PKCS#11 module reads (pkcs11/*.c and libhsm-dev/src/*.c, which it links
  in), no other, and the defaults of those libhsm defines;
- khsm-pkcs11.7's MECHANISMS names exactly the mechanisms of the kernel's
  mechanism tables (struct khsm_mech arrays in kmod/), which must also be
  README.md's mechanism table (p11_mech_table_test holds that table to
  C_GetMechanismList in the VM), and no other CKM_* name; each entry
  gives the key sizes and CKF_* flags of the kernel's table (each table
  expanded by cpp with its file's macros);
- khsm-pkcs11.7's NOT SUPPORTED names every C_* function of pkcs11/ that
  answers CKR_FUNCTION_NOT_SUPPORTED.

Usage: qemu-tests/tools/man-check.py [TOP]
"""
import glob
import os
import re
import subprocess
import sys

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), '..', '..'))
KHSM4 = 'kmod/khsm.4'
P11_7 = 'pkcs11/khsm-pkcs11.7'
HSMCTL8 = 'libhsm-dev/hsmctl/hsmctl.8'
UAPI = 'kmod/uapi/linux/khsm.h'

n = 0
fails = 0


def ok(cond, what, detail=None):
    global n, fails
    n += 1
    if cond:
        print(f'ok {n} - {what}')
    else:
        fails += 1
        print(f'not ok {n} - {what}')
        for line in (detail or '').rstrip().splitlines()[:40]:
            print(f'#   {line}')
    return cond


def skip(what, why):
    global n
    n += 1
    print(f'ok {n} - {what} # SKIP {why}')


def read(rel):
    with open(os.path.join(TOP, rel), encoding='utf-8') as f:
        return f.read()


def strip_c(src):
    """C source without comments (string literals kept)."""
    out = []
    i = 0
    while i < len(src):
        c = src[i]
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = len(src) if j < 0 else j + 2
            out.append(' ' + '\n' * src.count('\n', i, j))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            i = len(src) if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < len(src) and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def roff_text(page):
    """The page's words as a reader sees them: requests and comments
    dropped, font escapes removed, \\- as -."""
    lines = []
    for line in page.splitlines():
        if line.startswith('.\\"') or line.startswith("'\\\""):
            continue
        line = re.sub(r'\\f[BIRP]|\\f\(..|\\f\[[^]]*\]', '', line)
        line = line.replace('\\-', '-').replace('\\&', '').replace('\\e', '\\')
        line = line.replace('\\(aq', "'").replace('\\(em', '-')
        lines.append(line)
    return '\n'.join(lines)


def sections(page):
    """{section title: text} of a man page (.SH and .SS both start one)."""
    out = {}
    cur = None
    for line in roff_text(page).splitlines():
        m = re.match(r'\.(SH|SS)\s+"?(.*?)"?\s*$', line)
        if m:
            cur = m.group(2).replace('""', '"')
            out[cur] = ''
        elif cur is not None:
            out[cur] += line + '\n'
    return out


def words(text, pattern):
    return set(re.findall(r'(?<![A-Za-z0-9_])(' + pattern + r')(?![A-Za-z0-9_])', text))


def defines():
    """Every object-like #define of kmod/ and libhsm's headers: name -> text."""
    d = {}
    for f in (glob.glob(os.path.join(TOP, 'kmod', '*.h')) +
              glob.glob(os.path.join(TOP, 'kmod', 'crypto', '*.h')) +
              glob.glob(os.path.join(TOP, 'kmod', 'uapi', 'linux', '*.h')) +
              glob.glob(os.path.join(TOP, 'libhsm-dev', 'include', 'khsm', '*.h'))):
        for m in re.finditer(r'^#define\s+(\w+)[ \t]+([^\n]+)$',
                             strip_c(open(f, encoding='utf-8').read()), re.M):
            d.setdefault(m.group(1), m.group(2).strip())
    return d


DEFS = defines()


def resolve(expr, depth=0):
    """A #define'd constant's value (int or string), or None."""
    expr = expr.strip()
    while expr.startswith('(') and expr.endswith(')'):
        expr = expr[1:-1].strip()
    m = re.fullmatch(r'(\d+)[UuLl]*', expr)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r'"([^"]*)"', expr)
    if m:
        return m.group(1)
    if depth < 8 and re.fullmatch(r'\w+', expr) and expr in DEFS:
        return resolve(DEFS[expr], depth + 1)
    return None


KERNEL_CONSTS = {'AES_KEYSIZE_128': 16, 'AES_KEYSIZE_192': 24, 'AES_KEYSIZE_256': 32}


def number(expr, depth=0):
    """The value of a size expression of constants and #defines, or None."""
    def sub(m):
        name = m.group(0)
        if name in KERNEL_CONSTS:
            return str(KERNEL_CONSTS[name])
        if name in DEFS and depth < 8:
            v = number(DEFS[name], depth + 1)
            return name if v is None else str(v)
        return name
    e = re.sub(r'\b[A-Za-z_]\w*', sub, expr)
    e = re.sub(r'\b(\d+)[UuLl]+\b', r'\1', e)
    if not re.fullmatch(r'[\d\s()+*/<-]*', e):
        return None
    try:
        return int(eval(e, {'__builtins__': {}}))  # digits and operators only
    except Exception:
        return None


# ---- rendering -----------------------------------------------------------
pages = [KHSM4, P11_7, HSMCTL8]
env_c = dict(os.environ, LC_ALL='C.UTF-8', MANWIDTH='80')
for rel in pages:
    path = os.path.join(TOP, rel)
    r = subprocess.run(['groff', '-t', '-man', '-ww', '-z', path],
                       capture_output=True, text=True, env=env_c)
    ok(r.returncode == 0 and not r.stderr.strip(),
       f'{rel}: groff -t -man -ww -z prints no warning', r.stderr)
    r = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', path],
                       capture_output=True, text=True, env=env_c)
    ok(r.returncode == 0 and not r.stderr.strip(),
       f'{rel}: man --warnings -l (as lintian runs it) prints no warning', r.stderr)
    name, sect = os.path.basename(rel).rsplit('.', 1)
    th = re.search(r'^\.TH\s+(\S+)\s+(\S+)', read(rel), re.M)
    ok(th is not None and th.group(1).replace('\\-', '-').lower() == name and
       th.group(2) == sect, f'{rel}: .TH names {name}({sect})',
       th.group(0) if th else 'no .TH')
    r = subprocess.run(['lexgrog', path], capture_output=True, text=True, env=env_c)
    ok(r.returncode == 0 and re.search(r': "' + re.escape(name) + r' - \S', r.stdout),
       f'{rel}: lexgrog finds the NAME line ("{name} - ...")', r.stdout + r.stderr)

khsm4 = read(KHSM4)
khsm4_text = roff_text(khsm4)
khsm4_secs = sections(khsm4)

# ---- module parameters ---------------------------------------------------
params = {}   # name -> (type or None, default or None, writable, file)
for f in sorted(glob.glob(os.path.join(TOP, 'kmod', '**', '*.c'), recursive=True)):
    if f.endswith('.mod.c'):
        continue
    src = strip_c(open(f, encoding='utf-8').read())
    rel = os.path.relpath(f, TOP)
    for m in re.finditer(r'\bmodule_param(_named|_cb|_array|_string|_unsafe)?\s*\(([^;]*?)\)\s*;',
                         src, re.S):
        kind = m.group(1) or ''
        args = [a.strip() for a in m.group(2).split(',')]
        name, var, typ = args[0], args[0], None
        if kind == '' or kind == '_unsafe':
            typ = args[1]
        elif kind == '_named':
            var, typ = args[1], args[2]
        perm = args[-1]
        try:
            writable = int(perm, 8) & 0o222 != 0
        except ValueError:
            writable = None
        default = None
        if typ is not None:
            dm = re.search(r'\b(?:static\s+)?(?:unsigned\s+int|unsigned|int|uint|bool|u32|ulong|'
                           r'unsigned\s+long|long|charp)\s+' + re.escape(var) +
                           r'\s*(=\s*([^;]+))?;', src)
            if dm:
                default = resolve(dm.group(2)) if dm.group(2) else 0
        params[name] = (typ, default, writable, rel)

ok(len(params) >= 5, f'kmod/ has module parameters ({len(params)} found)',
   'the module_param scan found almost nothing: fix the scan')
psec = khsm4_secs.get('Module parameters', '')
ok(bool(psec), 'khsm.4 has a "Module parameters" section')
# Each parameter's tag line: ".BR name " (type, default D[, writable])"".
tags = {}
for m in re.finditer(r'^\.TP\n\.BR?\s+(\w+)\s*(?:"\s*\(([^)]*)\)")?', psec, re.M):
    tags[m.group(1)] = m.group(2) or ''
for name, (typ, default, writable, rel) in sorted(params.items()):
    if not ok(name in tags, f'khsm.4 documents module parameter {name} ({rel})',
              f'no ".TP" entry for {name} under "Module parameters"'):
        continue
    info = [x.strip() for x in tags[name].split(',')]
    problems = []
    if typ is not None and (not info or info[0] != typ):
        problems.append(f'type: page says "{info[0] if info else ""}", code {typ}')
    dflt = [x[len('default '):] for x in info if x.startswith('default ')]
    if default is not None and dflt and dflt[0] != str(default):
        problems.append(f'default: page says {dflt[0]}, code {default}')
    # A value the module sets (keyring) has no default to give.
    if default is not None and not dflt and typ is not None and \
            'set by the module' not in info:
        problems.append(f'no default given (code: {default})')
    if writable is not None and writable != ('writable' in info):
        problems.append(f'writable: code permission says {"yes" if writable else "no"}')
    ok(not problems, f'khsm.4: {name} as the code has it ({tags[name]})', '\n'.join(problems))
extra = set(tags) - set(params)
ok(not extra, 'khsm.4 documents no module parameter the code lacks',
   ' '.join(sorted(extra)))

# ---- ioctls --------------------------------------------------------------
uapi = strip_c(read(UAPI))
iocs = set(re.findall(r'^#define\s+(KHSM_IOC_\w+)', uapi, re.M))
ok(len(iocs) > 20, f'uAPI defines KHSM_IOC_* ({len(iocs)} found)')
missing = sorted(iocs - words(khsm4_text, r'KHSM_IOC_\w+'))
ok(not missing, 'khsm.4 names every KHSM_IOC_* of the uAPI', ' '.join(missing))
extra = sorted(words(khsm4_text, r'KHSM_IOC_\w+') - iocs)
ok(not extra, 'khsm.4 names no KHSM_IOC_* the uAPI lacks', ' '.join(extra))
# Each ioctl number has a row in the table.
rows = set(re.findall(r'^(KHSM_IOC_\w+)\t', khsm4, re.M))
nums = {i for i in iocs if re.search(r'^#define\s+' + i + r'\s+_IO\(', uapi, re.M)}
ok(rows == nums, 'khsm.4: the ioctl table has one row per ioctl number',
   'missing: ' + ' '.join(sorted(nums - rows)) + '\nextra: ' + ' '.join(sorted(rows - nums)))

# errno of each PKCS#11 result: khsm_ckr_errno() in kmod/ioctl.c.
ioctl_c = strip_c(read('kmod/ioctl.c'))
fn = re.search(r'khsm_ckr_errno\s*\([^)]*\)\s*\{(.*?)\n\}', ioctl_c, re.S)
ckr_errno = {}
pending = []
for tok in re.findall(r'case\s+(CKR_\w+)\s*:|return\s+-?(E\w+|0)\s*;', fn.group(1) if fn else ''):
    if tok[0]:
        pending.append(tok[0])
    else:
        for c in pending:
            ckr_errno[c] = tok[1]
        pending = []
ok(len(ckr_errno) > 20, f'kmod/ioctl.c maps CKR_* to errno ({len(ckr_errno)} found)')
esec4 = khsm4_secs.get('ERRORS', '')
decided = esec4.split('with a PKCS#11 decision', 1)[-1] if 'with a PKCS#11 decision' in esec4 else ''
page_map = {}
for m in re.finditer(r'^\.TP\n\.B\s+(E\w+)\n(.*?)(?=^\.TP|\Z)', decided, re.M | re.S):
    for c in re.findall(r'CKR_\w+\*?', m.group(2)):
        if c.endswith('*'):
            for k in ckr_errno:
                if k.startswith(c[:-1]):
                    page_map[k] = m.group(1)
        else:
            page_map[c] = m.group(1)
wrong = [f'{c}: page {page_map.get(c)}, kmod/ioctl.c {e}'
         for c, e in sorted(ckr_errno.items()) if c != 'CKR_OK' and page_map.get(c) != e]
wrong += [f'{c}: page {e}, kmod/ioctl.c {ckr_errno.get(c, "EINVAL (default)")}'
          for c, e in sorted(page_map.items()) if ckr_errno.get(c, 'EINVAL') != e]
ok(not wrong, 'khsm.4 ERRORS: the errno of every PKCS#11 result is kmod/ioctl.c\'s',
   '\n'.join(sorted(set(wrong))))
# The ioctl table's errors are CKR_* names (without the prefix) that exist.
known = set(re.findall(r'#define\s+(CKR_\w+)', read('kmod/ck.h')))
for h in ('/usr/include/p11-kit-1/p11-kit/pkcs11.h', os.path.join(TOP, 'pkcs11', 'p11_3_0.h')):
    if os.path.exists(h):
        known |= set(re.findall(r'#define\s+(CKR_\w+)', open(h, encoding='utf-8').read()))
tbl4 = re.search(r'^\.TS\n(.*?)^\.TE', khsm4, re.M | re.S)
listed = set()
for blk in re.findall(r'Errors:\\fP(.*?)\nT\}', tbl4.group(1) if tbl4 else '', re.S):
    listed |= {e for e in re.findall(r'\b[A-Z][A-Z0-9_]*\b', blk) if '_' in e}
bad = sorted({'CKR_' + e for e in listed} - known)
ok(tbl4 is not None and not bad, 'khsm.4: the ioctl table names only existing CKR_* results',
   ' '.join(bad))

# ---- numbers the pages state ----------------------------------------------
# (page, pattern over the page's text with blanks collapsed, the #defines
# its groups must equal)
NUMBERS = [
    (KHSM4, r'up to (\d+) at once', ['KHSM_MAX_TOKENS']),
    (KHSM4, r'made at load, (\d+) to (\d+)\.', [None, 'KHSM_MAX_LOAD_TOKENS']),
    (KHSM4, r'(\d+) attributes per template, (\d+) bytes per attribute value, '
            r'(\d+) bytes per GENERATE_RANDOM call',
     ['KHSM_MAX_TEMPLATE', 'KHSM_MAX_ATTR_LEN', 'KHSM_MAX_DATA_LEN']),
    (KHSM4, r'(\d+) handles per FIND call', ['KHSM_MAX_FIND']),
    (KHSM4, r'up to 2\^(\d+) bytes of OP_DATA', ['@log2:KHSM_MAX_STREAM_LEN']),
    (KHSM4, r'(\d+) MiB buffered', ['@mib:KHSM_MAX_BUFFERED_LEN']),
    (KHSM4, r'(\d+) sessions and (\d+) objects per token',
     ['KHSM_MAX_SESSIONS', 'KHSM_MAX_OBJECTS']),
    (KHSM4, r'one token may hold, (\d+) to (\d+)\.', [None, 'KHSM_MAX_TOKEN_MIB']),
    (KHSM4, r'one open file may hold, (\d+) to (\d+)', [None, 'KHSM_MAX_SESSIONS']),
    (KHSM4, r'over all its files, (\d+) to (\d+)\.', [None, 'KHSM_MAX_SESSIONS']),
    (KHSM4, r'makes, (\d+) to (\d+);', ['KHSM_RSA_GEN_MIN_BITS', 'KHSM_RSA_GEN_MAX_BITS']),
    (KHSM4, r'retry limit \((\d+)\.\.(\d+), 0: (\d+)\)',
     ['KHSM_MIN_PIN_FAILURES', 'KHSM_MAX_PIN_FAILURES_LIMIT', 'KHSM_DEF_PIN_FAILURES']),
    (KHSM4, r'the PIN length \((\d+) to (\d+)\)', ['KHSM_MIN_PIN_LEN', 'KHSM_MAX_PIN_LEN']),
    (KHSM4, r'chosen at C_InitToken \(default (\d+)\)', ['KHSM_DEF_PIN_FAILURES']),
    (KHSM4, r'at most (\d+) handles per call', ['KHSM_MAX_FIND']),
    (KHSM4, r'at most (\d+) bytes per call', ['KHSM_MAX_DATA_LEN']),
    (KHSM4, r'ABI version \((\d+)\)', ['KHSM_ABI_VERSION']),
    (P11_7, r'PINs are (\d+) to (\d+) bytes', ['KHSM_MIN_PIN_LEN', 'KHSM_MAX_PIN_LEN']),
    (P11_7, r'KHSM_PIN_RETRIES, default (\d+)\)', ['KHSM_DEF_PIN_FAILURES']),
    (P11_7, r'max_file_sessions \(default (\d+)\)', ['KHSM_DEF_FILE_SESSIONS']),
    (P11_7, r'max_uid_sessions \(default (\d+)\); the token: (\d+)\.',
     ['KHSM_DEF_UID_SESSIONS', 'KHSM_MAX_SESSIONS']),
    (P11_7, r'max_token_mib \(default (\d+) MiB\)', ['KHSM_DEF_TOKEN_MIB']),
    (P11_7, r'percent of it \(default (\d+) %\)', ['KHSM_DEF_UID_PCT']),
    (P11_7, r'at most (\d+) objects\.', ['KHSM_MAX_OBJECTS']),
    (P11_7, r'at most (\d+) attributes; an attribute value at most (\d+) bytes; '
            r'CKA_ALLOWED_MECHANISMS at most (\d+) mechanisms',
     ['KHSM_MAX_TEMPLATE', 'KHSM_MAX_ATTR_LEN', 'KHSM_MAX_ALLOWED_MECHS']),
    (P11_7, r'at most (\d+) attributes of at most (\d+) bytes each',
     ['KHSM_TMPL_MAX_RECS', 'KHSM_TMPL_MAX_VALUE']),
    (P11_7, r'up to 2\^(\d+) bytes per call', ['@log2:KHSM_MAX_STREAM_LEN']),
    (P11_7, r'streams input above (\d+) KiB', ['@kib:KHSM_MAX_DATA_LEN']),
    (P11_7, r'take at most (\d+) KiB and their own bound', ['@kib:KHSM_MAX_DATA_LEN']),
    (P11_7, r'CKM_AES_GCM buffers at most (\d+) MiB', ['@mib:KHSM_MAX_BUFFERED_LEN']),
    (P11_7, r'returns at most (\d+) handles per call', ['KHSM_MAX_FIND']),
    (P11_7, r'(\d+) to (\d+) passes, (\d+) to (\d+) KiB \(at least (\d+) per lane\) '
            r'and (\d+) to (\d+) lanes, and retry limits of (\d+) to (\d+)',
     ['KHSM_MIN_T_COST', 'KHSM_MAX_T_COST', 'KHSM_MIN_M_COST_KIB', 'KHSM_MAX_M_COST_KIB',
      None, 'KHSM_MIN_PARALLELISM', 'KHSM_MAX_PARALLELISM',
      'KHSM_MIN_PIN_FAILURES', 'KHSM_MAX_PIN_FAILURES_LIMIT']),
    (P11_7, r'retry limit (\d+) to (\d+) \(default (\d+)\)',
     ['KHSM_MIN_PIN_FAILURES', 'KHSM_MAX_PIN_FAILURES_LIMIT', 'KHSM_DEF_PIN_FAILURES']),
]


def macro_value(spec):
    kind, _, name = spec.rpartition(':')
    v = number(name)
    if v is None:
        return None
    if kind == '@log2':
        return v.bit_length() - 1 if v & (v - 1) == 0 else None
    if kind == '@mib':
        return v >> 20
    if kind == '@kib':
        return v >> 10
    return v


flat = {rel: re.sub(r'\s+([,.;:)])', r'\1',
                   re.sub(r'\s+', ' ', re.sub(r'^\.\w+\s*', '', roff_text(read(rel)), flags=re.M)
                          .replace('"', '')))
        for rel in (KHSM4, P11_7)}
for rel, pat, specs in NUMBERS:
    m = re.search(pat, flat[rel])
    if not ok(m is not None, f'{rel} states "{pat}"', 'phrase not found: update NUMBERS or the page'):
        continue
    problems = []
    for i, spec in enumerate(specs):
        if spec is None:
            continue
        want = macro_value(spec)
        if want is None or int(m.group(i + 1)) != want:
            problems.append(f'{m.group(i + 1)}: {spec} is {want}')
    ok(not problems, f'{rel}: "{m.group(0)}" is the code\'s ' + ', '.join(s for s in specs if s),
       '\n'.join(problems))

# ---- environment ---------------------------------------------------------
p11 = read(P11_7)
p11_text = roff_text(p11)
p11_secs = sections(p11)
envs = {}
for f in sorted(glob.glob(os.path.join(TOP, 'pkcs11', '*.c')) +
                glob.glob(os.path.join(TOP, 'libhsm-dev', 'src', '*.c'))):
    src = strip_c(open(f, encoding='utf-8').read())
    rel = os.path.relpath(f, TOP)
    for v in re.findall(r'\b(?:secure_)?getenv\s*\(\s*"(\w+)"\s*\)', src):
        envs.setdefault(v, rel)
    # Names handed to a getenv wrapper (e.g. hsmi_env_u32("KHSM_ARGON2_T", ...)).
    for v in re.findall(r'"(KHSM_[A-Z0-9_]+)"', src):
        envs.setdefault(v, rel)
ok(len(envs) >= 5, f'the PKCS#11 module reads environment variables ({len(envs)} found)')
esec = p11_secs.get('ENVIRONMENT', '')
documented = set(re.findall(r'^\.TP\n\.BR?\s+(\w+)\s*$', esec, re.M))
for v, rel in sorted(envs.items()):
    ok(v in documented, f'khsm-pkcs11.7 ENVIRONMENT documents {v} ({rel})')
extra = sorted(documented - set(envs))
ok(not extra, 'khsm-pkcs11.7 ENVIRONMENT documents no variable the module does not read',
   ' '.join(extra))
# Defaults the page states against the defines the code uses.
DEFAULTS = {
    'KHSM_DEV_DIR': 'HSM_DEV_DIR_DEFAULT',
    'KHSM_STATE_DIR': 'HSM_STATE_DIR_DEFAULT',
    'KHSM_ARGON2_T': 'HSM_ARGON2_T_DEFAULT',
    'KHSM_ARGON2_M_KIB': 'HSM_ARGON2_M_KIB_DEFAULT',
    'KHSM_ARGON2_P': 'HSM_ARGON2_P_DEFAULT',
    'KHSM_PIN_RETRIES': 'KHSM_DEF_PIN_FAILURES',
}
entries = dict(re.findall(r'^\.TP\n\.BR?\s+(\w+)\s*\n(.*?)(?=^\.TP|^\.PP|\Z)', esec, re.M | re.S))
for v, macro in sorted(DEFAULTS.items()):
    want = resolve(macro)
    m = re.search(r'Default:\s*\n?(?:\.[BI]R?\s+)?([^\s(]+?)\.?(?:\s|$)', entries.get(v, ''))
    got = m.group(1) if m else None
    ok(want is not None and got == str(want),
       f'khsm-pkcs11.7: default of {v} is {macro} ({want})', f'page says: {got}')

# ---- mechanisms ----------------------------------------------------------
mechs = {}
for f in sorted(glob.glob(os.path.join(TOP, 'kmod', '*.c'))):
    src = strip_c(open(f, encoding='utf-8').read())
    rel = os.path.relpath(f, TOP)
    for m in re.finditer(r'struct\s+khsm_mech\s+\w+\s*\[\s*\][^=;{]*=\s*\{', src):
        depth, i = 1, m.end()
        while depth and i < len(src):
            depth += {'{': 1, '}': -1}.get(src[i], 0)
            i += 1
        body = src[m.end():i]
        for v in re.findall(r'\.type\s*=\s*(CKM_\w+)', body):
            mechs.setdefault(v, rel)
        # Entries made by a macro: its first argument.
        for v in re.findall(r'\b[A-Z][A-Z0-9_]*\s*\(\s*(CKM_\w+)', body):
            mechs.setdefault(v, rel)
ok(len(mechs) > 40, f'kmod/ mechanism tables list mechanisms ({len(mechs)} found)')
readme = read('README.md')
tbl = re.search(r'<!-- mech-table-begin -->(.*?)<!-- mech-table-end -->', readme, re.S)
rmechs = set()
for row in (tbl.group(1) if tbl else '').splitlines():
    cells = row.split('|')
    if len(cells) > 2:
        rmechs |= set(re.findall(r'CKM_\w+', cells[1]))
ok(rmechs == set(mechs),
   'the mechanism tables of kmod/ are README.md\'s mechanism table (the one the VM test holds to C_GetMechanismList)',
   'only in kmod/: ' + ' '.join(sorted(set(mechs) - rmechs)) +
   '\nonly in README: ' + ' '.join(sorted(rmechs - set(mechs))))
msec = p11_secs.get('MECHANISMS', '')
named = words(msec, r'CKM_\w+')
missing = sorted(set(mechs) - named)
ok(not missing, 'khsm-pkcs11.7 MECHANISMS names every mechanism the kernel registers',
   ' '.join(missing))
extra = sorted(named - set(mechs))
ok(not extra, 'khsm-pkcs11.7 MECHANISMS names no mechanism the kernel does not offer',
   ' '.join(extra))
# Each mechanism heads an entry (a .TP tag), so each has its sizes and flags.
heads = set()
for m in re.finditer(r'^\.TP\n(\.BR?\s+[^\n]*)\n', msec, re.M):
    heads |= words(m.group(1), r'CKM_\w+')
ok(heads == set(mechs), 'khsm-pkcs11.7 MECHANISMS: every mechanism heads an entry',
   ' '.join(sorted(set(mechs) - heads)))
for m in re.finditer(r'^\.TP\n(\.BR?\s+[^\n]*)\n(.*?)(?=^\.TP|^\.PP|\Z)', msec, re.M | re.S):
    body = m.group(2)
    names = ' '.join(sorted(words(m.group(1), r'CKM_\w+')))
    ok(re.search(r'\b(Sizes?|No key sizes)\b', body) and re.search(r'\b[Ff]lags\b', body),
       f'khsm-pkcs11.7: {names[:60]}: key sizes and flags given')

# Sizes and flags: each table expanded by cpp with its file's own macros.
def mech_info():
    """{CKM name: (min, max, set of CKF names)} from kmod/'s mechanism tables."""
    info = {}
    for f in sorted(glob.glob(os.path.join(TOP, 'kmod', '*.c'))):
        src = strip_c(open(f, encoding='utf-8').read())
        macros = '\n'.join(m.group(0) for m in
                           re.finditer(r'^#define(?:\\\n|[^\n])*', src, re.M))
        for m in re.finditer(r'struct\s+khsm_mech\s+\w+\s*\[\s*\][^=;{]*=\s*\{', src):
            depth, i = 1, m.end()
            while depth and i < len(src):
                depth += {'{': 1, '}': -1}.get(src[i], 0)
                i += 1
            r = subprocess.run(['cpp', '-P', '-undef', '-nostdinc', '-'],
                               input=macros + '\n@@TABLE@@\n' + src[m.end():i - 1],
                               capture_output=True, text=True)
            body = r.stdout.split('@@TABLE@@', 1)[-1]
            depth, start = 0, None
            for j, c in enumerate(body):
                if c == '{':
                    depth += 1
                    if depth == 1:
                        start = j
                elif c == '}':
                    depth -= 1
                    if depth == 0 and start is not None:
                        e = body[start:j]
                        t = re.search(r'\.type\s*=\s*\(?\s*(CKM_\w+)', e)
                        fl = re.search(r'\.flags\s*=\s*([^,]+)', e)
                        lo = re.search(r'\.min_key_size\s*=\s*([^,]+)', e)
                        hi = re.search(r'\.max_key_size\s*=\s*([^,]+)', e)
                        if t:
                            info[t.group(1)] = (
                                number(lo.group(1)) if lo else 0,
                                number(hi.group(1)) if hi else 0,
                                set(re.findall(r'CKF_\w+', fl.group(1))) if fl else set())
    return info


minfo = mech_info()
ok(set(minfo) == set(mechs), 'the mechanism tables expand (cpp) to one entry per mechanism',
   ' '.join(sorted(set(mechs) ^ set(minfo))))
for m in re.finditer(r'^\.TP\n(\.BR?\s+[^\n]*)\n(.*?)(?=^\.TP|^\.PP|\Z)', msec, re.M | re.S):
    names = sorted(words(m.group(1), r'CKM_\w+'))
    body = m.group(2)
    sz = re.search(r'Sizes (\d+) to (\d+)|Size (\d+)\b|No key sizes', body)
    if not sz:
        page_sz = None
    elif sz.group(1):
        page_sz = (int(sz.group(1)), int(sz.group(2)))
    elif sz.group(3):
        page_sz = (int(sz.group(3)), int(sz.group(3)))
    else:
        page_sz = (0, 0)
    fpos = body.find('flags')
    page_fl = words(body[fpos:], r'CKF_\w+') if fpos >= 0 else set()
    problems = []
    for name in names:
        lo, hi, fl = minfo.get(name, (None, None, set()))
        if (lo, hi) != page_sz:
            problems.append(f'{name}: sizes {lo}..{hi} in kmod/, page {page_sz}')
        if fl != page_fl:
            problems.append(f'{name}: flags {" | ".join(sorted(fl))} in kmod/, page '
                            f'{" | ".join(sorted(page_fl))}')
    ok(not problems, f'khsm-pkcs11.7: {" ".join(names)[:60]}: sizes and flags are kmod/\'s',
       '\n'.join(problems))

# ---- functions not supported --------------------------------------------
unsup = {}
for f in sorted(glob.glob(os.path.join(TOP, 'pkcs11', '*.c'))):
    src = strip_c(open(f, encoding='utf-8').read())
    rel = os.path.relpath(f, TOP)
    for m in re.finditer(r'^CK_RV\s+(C_\w+)\s*\(', src, re.M):
        j = src.find('\n}', m.end())
        body = src[m.end():j]
        if 'p11_unsupported(' in body or 'CKR_FUNCTION_NOT_SUPPORTED' in body:
            unsup[m.group(1)] = rel
ok(len(unsup) > 10, f'pkcs11/ has functions that answer CKR_FUNCTION_NOT_SUPPORTED ({len(unsup)} found)')
nsec = p11_secs.get('NOT SUPPORTED', '')
missing = sorted(set(unsup) - words(nsec, r'C_\w+'))
ok(not missing, 'khsm-pkcs11.7 NOT SUPPORTED names every CKR_FUNCTION_NOT_SUPPORTED function',
   ' '.join(missing))

print(f'1..{n}')
sys.exit(1 if fails else 0)
