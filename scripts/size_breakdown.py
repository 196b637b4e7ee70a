#!/usr/bin/env python3
"""Size of the filter binary by module, from the link map `catalogwatch package` writes (lld's, or gold's).

Every input section the linker placed in an allocated output section is charged to the module it came
from: `lib<name>.a(…)` to the library (swiftCore, swift_Concurrency, …), `<Module>.build/<file>.o` to
that SwiftPM module, anything else by file name. The code built with link-time optimization (ours,
swift-nio's, BoringSSL's) comes out of one `*.lto.o`; its functions keep one section each, named after
the symbol, so a Swift symbol is charged to the module its mangled name starts with (`$s9AWSClient…`),
a BoringSSL one (`CNIOBoringSSL_…`) to CNIOBoringSSL, and the rest to "LTO: other" (generic
specializations of the standard library, data without a symbol name). Sections the linker dropped
(--gc-sections) are not in the map. The sizes are of the binary before compression; the zip shrinks
each about as much (roughly 2.4x).

  scripts/size_breakdown.py --map .build-lambda/catalogwatch-filter.map [--zip dist/….zip] [--top 15]
"""
import argparse
import os
import re
import sys
from collections import defaultdict

# Output sections that are not loaded (and that --strip-all removes): not part of the deployed size.
UNLOADED = re.compile(r"^\.(comment|debug|symtab|strtab|shstrtab|note\.gnu\.gold|gnu_debuglink|swift_ast)")
INPUT = re.compile(r"^\s*(?:\S+\s+)?0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$")
OUTPUT = re.compile(r"^(\.\S+)")


LLD_LINE = re.compile(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+( +)(\S.*)$")
MANGLED_MODULE = re.compile(r"^\.[\w.]*?\.\$s(\d+)")


def lto_module_of(section, project_modules):
    """The module of one input section of the link-time-optimized object, by its symbol's name."""
    m = MANGLED_MODULE.match(section)
    if m:
        start = m.end()
        name = section[start:start + int(m.group(1))]
        return name, name in project_modules
    if "CNIOBoringSSL" in section:
        return "CNIOBoringSSL", False
    return "LTO: other", False


def module_of(path, project_modules):
    """The module a linked file belongs to, and whether it is one of ours."""
    if ".lto.o:(" in path:
        return lto_module_of(path.split(".lto.o:(", 1)[1].rstrip(")"), project_modules)
    archive = re.search(r"lib([^/()]+)\.a\(", path)
    if archive:
        return archive.group(1), False
    built = re.search(r"/([^/]+)\.build/[^/]+\.o$", path)
    if built:
        name = built.group(1)
        return name, name in project_modules
    return os.path.basename(path), False


def lld_breakdown(lines, project_modules):
    """lld's map: VMA LMA Size Align, then an output section (one space), an input section (nine) or a symbol."""
    sizes = defaultdict(int)
    ours = set()
    section = None
    for line in lines:
        m = LLD_LINE.match(line)
        if not m:
            continue
        size, indent, text = int(m.group(1), 16), len(m.group(2)), m.group(3).strip()
        if indent == 1:
            section = text
        elif indent == 9 and section and not UNLOADED.match(section) and text.startswith(("/", "<")):
            if text.startswith("<internal>"):
                module, is_ours = "linker: merged strings, unwind index", False
            elif ".lto.o:(" in text:
                module, is_ours = module_of(text, project_modules)
            else:
                module, is_ours = module_of(text.split(":(", 1)[0], project_modules)
            sizes[module] += size
            if is_ours:
                ours.add(module)
    return sizes, ours


def breakdown(lines, project_modules):
    sizes = defaultdict(int)
    ours = set()
    in_memory_map = False
    section = None
    for line in lines:
        if not in_memory_map:
            in_memory_map = line.startswith("Memory map")
            continue
        out = OUTPUT.match(line)
        if out:
            section = out.group(1)
            continue
        if section is None or UNLOADED.match(section) or line.lstrip().startswith("**"):
            continue
        m = INPUT.match(line)
        if not m:
            continue
        size, path = int(m.group(1), 16), m.group(2).strip()
        module, is_ours = module_of(path, project_modules)
        sizes[module] += size
        if is_ours:
            ours.add(module)
    return sizes, ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--map", required=True)
    ap.add_argument("--zip")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--sources", default="Sources", help="the package's Sources folder: its modules are ours")
    args = ap.parse_args()
    project = set(os.listdir(args.sources)) if os.path.isdir(args.sources) else set()
    with open(args.map, encoding="utf-8", errors="replace") as f:
        lines = f.readlines()
    lld = bool(lines) and lines[0].split() == ["VMA", "LMA", "Size", "Align", "Out", "In", "Symbol"]
    sizes, ours = (lld_breakdown if lld else breakdown)(lines, project)
    if not sizes:
        sys.exit(f"{args.map}: no memory map found (is it an lld or gold -Map file?)")
    total = sum(sizes.values())
    rows = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    print(f"filter binary by module (loaded sections, before compression; {total:,} bytes in all)")
    for name, size in rows[: args.top]:
        mark = " (ours)" if name in ours else ""
        print(f"  {name + mark:<36} {size:>12,}  {100 * size / total:5.1f} %")
    rest = rows[args.top :]
    if rest:
        print(f"  {f'{len(rest)} more':<36} {sum(s for _, s in rest):>12,}")
    ours_total = sum(sizes[m] for m in ours)
    print(f"  {'all of ours':<36} {ours_total:>12,}  {100 * ours_total / total:5.1f} %")
    if args.zip:
        print(f"  {'zip':<36} {os.path.getsize(args.zip):>12,}  (limit 5,000,000)")


if __name__ == "__main__":
    main()
